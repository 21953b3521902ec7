var e,t,n,r,i,a,o,s,c,l,u,d,f,p,m={},h=[],g=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,_=Array.isArray;function v(e,t){for(var n in t)e[n]=t[n];return e}function y(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function b(t,n,r){var i,a,o,s={};for(o in n)o==`key`?i=n[o]:o==`ref`?a=n[o]:s[o]=n[o];if(arguments.length>2&&(s.children=arguments.length>3?e.call(arguments,2):r),typeof t==`function`&&t.defaultProps!=null)for(o in t.defaultProps)s[o]===void 0&&(s[o]=t.defaultProps[o]);return x(t,s,i,a,null)}function x(e,r,i,a,o){var s={type:e,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:o??++n,__i:-1,__u:0};return o==null&&t.vnode!=null&&t.vnode(s),s}function S(e){return e.children}function C(e,t){this.props=e,this.context=t}function w(e,t){if(t==null)return e.__?w(e.__,e.__i+1):null;for(var n;t<e.__k.length;t++)if((n=e.__k[t])!=null&&n.__e!=null)return n.__e;return typeof e.type==`function`?w(e):null}function T(e){if(e.__P&&e.__d){var n=e.__v,r=n.__e,i=[],a=[],o=v({},n);o.__v=n.__v+1,t.vnode&&t.vnode(o),ie(e.__P,o,n,e.__n,e.__P.namespaceURI,32&n.__u?[r]:null,i,r??w(n),!!(32&n.__u),a),o.__v=n.__v,o.__.__k[o.__i]=o,oe(i,o,a),n.__e=n.__=null,o.__e!=r&&E(o)}}function E(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),E(e)}function D(e){(!e.__d&&(e.__d=!0)&&r.push(e)&&!O.__r++||i!=t.debounceRendering)&&((i=t.debounceRendering)||a)(O)}function O(){try{for(var e,t=1;r.length;)r.length>t&&r.sort(o),e=r.shift(),t=r.length,T(e)}finally{r.length=O.__r=0}}function ee(e,t,n,r,i,a,o,s,c,l,u){var d,f,p,g,_,v,y=r&&r.__k||h,b=t.length;for(c=k(n,t,y,c,b),d=0;d<b;d++)(p=n.__k[d])!=null&&(f=p.__i!=-1&&y[p.__i]||m,p.__i=d,v=ie(e,p,f,i,a,o,s,c,l,u),g=p.__e,p.ref&&f.ref!=p.ref&&(f.ref&&le(f.ref,null,p),u.push(p.ref,p.__c||g,p)),_==null&&g!=null&&(_=g),4&p.__u?(c=A(p,c,e),f.__e&&(f.__e=null)):typeof p.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),p.__u&=-7);return n.__e=_,c}function k(e,t,n,r,i){var a,o,s,c,l,u=n.length,d=u,f=0;for(e.__k=Array(i),a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o==`string`||typeof o==`number`||typeof o==`bigint`||o.constructor==String?o=e.__k[a]=x(null,o,null,null,null):_(o)?o=e.__k[a]=x(S,{children:o},null,null,null):o.constructor===void 0&&o.__b>0?o=e.__k[a]=x(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):e.__k[a]=o,c=a+f,o.__=e,o.__b=e.__b+1,s=null,(l=o.__i=te(o,n,c,d))!=-1&&(d--,(s=n[l])&&(s.__u|=2)),s==null||s.__v==null?(l==-1&&(i>u?f--:i<u&&f++),typeof o.type!=`function`&&(o.__u|=4)):l!=c&&(l==c-1?f--:l==c+1?f++:(l>c?f--:f++,o.__u|=4))):e.__k[a]=null;if(d)for(a=0;a<u;a++)(s=n[a])!=null&&!(2&s.__u)&&(s.__e==r&&(r=w(s)),ue(s,s));return r}function A(e,t,n){var r,i;if(typeof e.type==`function`){for(r=e.__k,i=0;r&&i<r.length;i++)r[i]&&(r[i].__=e,t=A(r[i],t,n));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=w(e)),t=n.insertBefore(e.__e,t||null));do t&&=t.nextSibling;while(t!=null&&t.nodeType==8);return t}function te(e,t,n,r){var i,a,o,s=e.key,c=e.type,l=t[n],u=l!=null&&!(2&l.__u);if(l===null&&s==null||u&&s==l.key&&c==l.type)return n;if(r>+!!u){for(i=n-1,a=n+1;i>=0||a<t.length;)if((l=t[o=i>=0?i--:a++])!=null&&!(2&l.__u)&&s==l.key&&c==l.type)return o}return-1}function ne(e,t,n){t[0]==`-`?e.setProperty(t,n??``):e[t]=n==null?``:typeof n!=`number`||g.test(t)?n:n+`px`}function re(e,t,n,r,i){var a,o;e:if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||ne(e.style,t,``);if(n)for(t in n)r&&n[t]==r[t]||ne(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)a=t!=(t=t.replace(u,`$1`)),o=t.toLowerCase(),t=o in e||t==`onFocusOut`||t==`onFocusIn`?o.slice(2):t.slice(2),e.l||={},e.l[t+a]=n,n?r?n[l]=r[l]:(n[l]=d,e.addEventListener(t,a?p:f,a)):e.removeEventListener(t,a?p:f,a);else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;break e}catch{}typeof n==`function`||(n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n))}}function j(e){return function(n){if(this.l){var r=this.l[n.type+e];if(n[c]==null)n[c]=d++;else if(n[c]<r[l])return;return r(t.event?t.event(n):n)}}}function ie(e,n,r,i,a,o,s,c,l,u){var d,f,p,m,g,b,x,T,E,D,O,k,A,te,ne,re,j=n.type;if(n.constructor!==void 0)return null;128&r.__u&&(l=!!(32&r.__u),o=[c=n.__e=r.__e]),(d=t.__b)&&d(n);e:if(typeof j==`function`){f=s.length;try{if(E=n.props,D=j.prototype&&j.prototype.render,O=(d=j.contextType)&&i[d.__c],k=d?O?O.props.value:d.__:i,r.__c?T=(p=n.__c=r.__c).__=p.__E:(D?n.__c=p=new j(E,k):(n.__c=p=new C(E,k),p.constructor=j,p.render=de),O&&O.sub(p),p.state||(p.state={}),p.__n=i,m=p.__d=!0,p.__h=[],p._sb=[]),D&&p.__s==null&&(p.__s=p.state),D&&j.getDerivedStateFromProps!=null&&(p.__s==p.state&&(p.__s=v({},p.__s)),v(p.__s,j.getDerivedStateFromProps(E,p.__s))),g=p.props,b=p.state,p.__v=n,m)D&&j.getDerivedStateFromProps==null&&p.componentWillMount!=null&&p.componentWillMount(),D&&p.componentDidMount!=null&&p.__h.push(p.componentDidMount);else{if(D&&j.getDerivedStateFromProps==null&&E!==g&&p.componentWillReceiveProps!=null&&p.componentWillReceiveProps(E,k),n.__v==r.__v||!p.__e&&p.shouldComponentUpdate!=null&&!1===p.shouldComponentUpdate(E,p.__s,k)){n.__v!=r.__v&&(p.props=E,p.state=p.__s,p.__d=!1),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),h.push.apply(p.__h,p._sb),p._sb=[],p.__h.length&&s.push(p),c=w(r);break e}p.componentWillUpdate!=null&&p.componentWillUpdate(E,p.__s,k),D&&p.componentDidUpdate!=null&&p.__h.push(function(){p.componentDidUpdate(g,b,x)})}if(p.context=k,p.props=E,p.__P=e,p.__e=!1,A=t.__r,te=0,D)p.state=p.__s,p.__d=!1,A&&A(n),d=p.render(p.props,p.state,p.context),h.push.apply(p.__h,p._sb),p._sb=[];else do p.__d=!1,A&&A(n),d=p.render(p.props,p.state,p.context),p.state=p.__s;while(p.__d&&++te<25);p.state=p.__s,p.getChildContext!=null&&(i=v(v({},i),p.getChildContext())),D&&!m&&p.getSnapshotBeforeUpdate!=null&&(x=p.getSnapshotBeforeUpdate(g,b)),ne=d!=null&&d.type===S&&d.key==null?se(d.props.children):d,c=ee(e,_(ne)?ne:[ne],n,r,i,a,o,s,c,l,u),p.base=n.__e,n.__u&=-161,p.__h.length&&s.push(p),T&&(p.__E=p.__=null)}catch(e){if(s.length=f,n.__v=null,l||o!=null){if(e.then){for(n.__u|=l?160:128;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;o!=null&&(o[o.indexOf(c)]=null),n.__e=c}else if(o!=null)for(re=o.length;re--;)y(o[re])}else n.__e=r.__e;n.__k??=r.__k||[],e.then||ae(n),t.__e(e,n,r)}}else o==null&&n.__v==r.__v?(n.__k=r.__k,n.__e=r.__e):c=n.__e=ce(r.__e,n,r,i,a,o,s,l,u);return(d=t.diffed)&&d(n),128&n.__u?void 0:c}function ae(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(ae))}function oe(e,n,r){for(var i=0;i<r.length;i++)le(r[i],r[++i],r[++i]);t.__c&&t.__c(n,e),e.some(function(n){try{e=n.__h,n.__h=[],e.some(function(e){e.call(n)})}catch(e){t.__e(e,n.__v)}})}function se(e){return typeof e!=`object`||!e||e.__b>0?e:_(e)?e.map(se):e.constructor===void 0?v({},e):null}function ce(n,r,i,a,o,s,c,l,u){var d,f,p,h,g,v,b,x=i.props||m,S=r.props,C=r.type;if(C==`svg`?o=`http://www.w3.org/2000/svg`:C==`math`?o=`http://www.w3.org/1998/Math/MathML`:o||=`http://www.w3.org/1999/xhtml`,s!=null){for(d=0;d<s.length;d++)if((g=s[d])&&`setAttribute`in g==!!C&&(C?g.localName==C:g.nodeType==3)){n=g,s[d]=null;break}}if(n==null){if(C==null)return document.createTextNode(S);n=document.createElementNS(o,C,S.is&&S),l&&=(t.__m&&t.__m(r,s),!1),s=null}if(C==null)x===S||l&&n.data==S||(n.data=S);else{if(s=C==`textarea`&&S.defaultValue!=null?null:s&&e.call(n.childNodes),!l&&s!=null)for(x={},d=0;d<n.attributes.length;d++)x[(g=n.attributes[d]).name]=g.value;for(d in x)g=x[d],d==`dangerouslySetInnerHTML`?p=g:d==`children`||d in S||d==`value`&&`defaultValue`in S||d==`checked`&&`defaultChecked`in S||re(n,d,null,g,o);for(d in S)g=S[d],d==`children`?h=g:d==`dangerouslySetInnerHTML`?f=g:d==`value`?v=g:d==`checked`?b=g:l&&typeof g!=`function`||x[d]===g||re(n,d,g,x[d],o);if(f)l||p&&(f.__html==p.__html||f.__html==n.innerHTML)||(n.innerHTML=f.__html),r.__k=[];else if(p&&(n.innerHTML=``),ee(r.type==`template`?n.content:n,_(h)?h:[h],r,i,a,C==`foreignObject`?`http://www.w3.org/1999/xhtml`:o,s,c,s?s[0]:i.__k&&w(i,0),l,u),s!=null)for(d=s.length;d--;)y(s[d]);l&&C!=`textarea`||(d=`value`,C==`progress`&&v==null?n.removeAttribute(`value`):v!=null&&(v!==n[d]||C==`progress`&&!v||C==`option`&&v!=x[d])&&re(n,d,v,x[d],o),d=`checked`,b!=null&&b!=n[d]&&re(n,d,b,x[d],o))}return n}function le(e,n,r){try{if(typeof e==`function`){var i=typeof e.__u==`function`;i&&e.__u(),i&&n==null||(e.__u=e(n))}else e.current=n}catch(e){t.__e(e,r)}}function ue(e,n,r){var i,a;if(t.unmount&&t.unmount(e),(i=e.ref)&&(i.current&&i.current!=e.__e||le(i,null,n)),(i=e.__c)!=null){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(e){t.__e(e,n)}i.base=i.__P=i.__n=null}if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&ue(i[a],n,r||typeof e.type!=`function`);r||y(e.__e),e.__c=e.__=e.__e=void 0}function de(e,t,n){return this.constructor(e,n)}function fe(n,r,i){var a,o,s,c;r==document&&(r=document.documentElement),t.__&&t.__(n,r),o=(a=typeof i==`function`)?null:i&&i.__k||r.__k,s=[],c=[],ie(r,n=(!a&&i||r).__k=b(S,null,[n]),o||m,m,r.namespaceURI,!a&&i?[i]:o?null:r.firstChild?e.call(r.childNodes):null,s,!a&&i?i:o?o.__e:r.firstChild,a,c),oe(s,n,c),n.props.children=null}e=h.slice,t={__e:function(e,t,n,r){for(var i,a,o;t=t.__;)if((i=t.__c)&&!i.__)try{if((a=i.constructor)&&a.getDerivedStateFromError!=null&&(i.setState(a.getDerivedStateFromError(e)),o=i.__d),i.componentDidCatch!=null&&(i.componentDidCatch(e,r||{}),o=i.__d),o)return i.__E=i}catch(t){e=t}throw e}},n=0,C.prototype.setState=function(e,t){var n=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=v({},this.state);typeof e==`function`&&(e=e(v({},n),this.props)),e&&v(n,e),e!=null&&this.__v&&(t&&this._sb.push(t),D(this))},C.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),D(this))},C.prototype.render=S,r=[],a=typeof Promise==`function`?Promise.prototype.then.bind(Promise.resolve()):setTimeout,o=function(e,t){return e.__v.__b-t.__v.__b},O.__r=0,s=Math.random().toString(8),c=`__d`+s,l=`__a`+s,u=/(PointerCapture)$|Capture$/i,d=0,f=j(!1),p=j(!0);var pe,M,me,he,ge=0,_e=[],N=t,ve=N.__b,ye=N.__r,be=N.diffed,xe=N.__c,Se=N.unmount,Ce=N.__;function we(e,t){N.__h&&N.__h(M,e,ge||t),ge=0;var n=M.__H||(M.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function P(e){return ge=1,Te(Ie,e)}function Te(e,t,n){var r=we(pe++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ie(void 0,t),function(e){var t=r.__N?r.__N[0]:r.__[0],n=r.t(t,e);t!==n&&(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=M,!M.__f)){var i=function(e,t,n){if(!r.__c.__H)return!0;var i=!1,o=r.__c.props!==e;if(r.__c.__H.__.some(function(e){if(e.__N){i=!0;var t=e.__[0];e.__=e.__N,e.__N=void 0,t!==e.__[0]&&(o=!0)}}),a){var s=a.call(this,e,t,n);return i?s||o:s}return!i||o};M.__f=!0;var a=M.shouldComponentUpdate,o=M.componentWillUpdate;M.componentWillUpdate=function(e,t,n){if(this.__e){var r=a;a=void 0,i(e,t,n),a=r}o&&o.call(this,e,t,n)},M.shouldComponentUpdate=i}return r.__N||r.__}function Ee(e,t){var n=we(pe++,3);!N.__s&&Fe(n.__H,t)&&(n.__=e,n.u=t,M.__H.__h.push(n))}function De(e){return ge=5,Oe(function(){return{current:e}},[])}function Oe(e,t){var n=we(pe++,7);return Fe(n.__H,t)&&(n.__=e(),n.__H=t,n.__h=e),n.__}function ke(e,t){return ge=8,Oe(function(){return e},t)}function Ae(){for(var e;e=_e.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ne),t.__h.some(Pe),t.__h=[]}catch(n){t.__h=[],N.__e(n,e.__v)}}}N.__b=function(e){M=null,ve&&ve(e)},N.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Ce&&Ce(e,t)},N.__r=function(e){ye&&ye(e),pe=0;var t=(M=e.__c).__H;t&&(me===M?(t.__h=[],M.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})):(t.__h.some(Ne),t.__h.some(Pe),t.__h=[],pe=0)),me=M},N.diffed=function(e){be&&be(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(_e.push(t)!==1&&he===N.requestAnimationFrame||((he=N.requestAnimationFrame)||Me)(Ae)),t.__H.__.some(function(e){e.u&&=(e.__H=e.u,void 0)})),me=M=null},N.__c=function(e,t){t.some(function(e){try{e.__h.some(Ne),e.__h=e.__h.filter(function(e){return!e.__||Pe(e)})}catch(n){t.some(function(e){e.__h&&=[]}),t=[],N.__e(n,e.__v)}}),xe&&xe(e,t)},N.unmount=function(e){Se&&Se(e);var t,n=e.__c;n&&n.__H&&(n.__H.__.some(function(e){try{Ne(e)}catch(e){t=e}}),n.__H=void 0,t&&N.__e(t,n.__v))};var je=typeof requestAnimationFrame==`function`;function Me(e){var t,n=function(){clearTimeout(r),je&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);je&&(t=requestAnimationFrame(n))}function Ne(e){var t=M,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),M=t}function Pe(e){var t=M;e.__c=e.__(),M=t}function Fe(e,t){return!e||e.length!==t.length||t.some(function(t,n){return t!==e[n]})}function Ie(e,t){return typeof t==`function`?t(e):t}var Le=new Intl.NumberFormat(`en-US`);function F(e){return Le.format(e)}function I(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toLocaleDateString(`en-GB`,{year:`numeric`,month:`short`,day:`numeric`})}function L(e){return e?`${e.amount} ${e.currency}`:`—`}var Re={UNAUTHENTICATED:`Your sign-in is missing or has expired. Sign in again.`,FORBIDDEN:`Your role in this organization does not allow this.`,NOT_FOUND:`Not found, or you are not a member of this organization.`,INVALID_INPUT:`Something in the form is not valid.`,INSUFFICIENT_CREDITS:`The organization does not have enough credits for this.`,ORG_SUSPENDED:`This organization is suspended: reading works, spending does not.`,CONFLICT:`This was changed at the same time by someone else, or repeated with different details. Reload and try again.`,PAYMENT_FAILED:`The payment did not go through.`,GATEWAY_UNAVAILABLE:`The payment provider could not be reached. Try again in a moment.`,RATE_LIMITED:`Too many requests. Wait a moment and try again.`,USAGE_LIMIT_EXCEEDED:`The plan's usage limit is reached.`,UNAVAILABLE:`The service is briefly unavailable. Try again in a moment.`,INTERNAL:`Something went wrong on the server.`};function R(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function ze(e){return R(e)===`object`}function Be(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function Ve(e,t){return e.length<124?e:t}var z=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(z||{}),B=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(B||{});function He(e){if(!ze(e))throw Error(`Message is expected to be an object, but got ${R(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${R(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${R(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${R(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${R(e.payload.query)}`);if(e.payload.variables!=null&&!ze(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${R(e.payload.variables)}`);if(e.payload.operationName!=null&&R(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${R(e.payload.operationName)}`);if(e.payload.extensions!=null&&!ze(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${R(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${R(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${R(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${R(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Be(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${R(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function Ue(e,t){return He(typeof e==`string`?JSON.parse(e,t):e)}function We(e,t){return He(e),JSON.stringify(e,t)}function Ge(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=qe,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!Ye(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function D(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(We({type:B.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof Ke&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(We(e?{type:B.ConnectionInit,payload:e}:{type:B.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(z.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(z.InternalClientError,Ve(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=Ue(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(We(n.payload?{type:B.Pong,payload:n.payload}:{type:B.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==B.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(z.BadResponse,Ve(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function O(e){if(qe(e)&&(Je(e.code)||[z.InternalServerError,z.InternalClientError,z.BadRequest,z.BadResponse,z.Unauthorized,z.SubprotocolNotAcceptable,z.SubscriberAlreadyExists,z.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(qe(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await D();await e}catch(e){try{if(!O(e))return}catch(e){return i?.(e)}}})();function ee(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await D();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case B.Next:t.next(e.payload);return;case B.Error:i=!0,r=!0,t.error(e.payload),a();return;case B.Complete:r=!0,a();return}});o.send(We({id:n,type:B.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(We({id:n,type:B.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!O(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:ee,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=ee(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new Ke)}}}var Ke=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function qe(e){return ze(e)&&`code`in e&&`reason`in e}function Je(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function Ye(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}var Xe=[`UNAUTHENTICATED`,`FORBIDDEN`,`NOT_FOUND`,`INVALID_INPUT`,`INSUFFICIENT_CREDITS`,`ORG_SUSPENDED`,`CONFLICT`,`PAYMENT_FAILED`,`GATEWAY_UNAVAILABLE`,`RATE_LIMITED`,`USAGE_LIMIT_EXCEEDED`,`UNAVAILABLE`,`INTERNAL`];function Ze(e){return typeof e==`string`&&Xe.includes(e)}var V=class extends Error{code;field;retryAfter;status;errors;constructor(e){super(e.message,e.cause===void 0?void 0:{cause:e.cause}),this.name=`TallyError`,this.code=e.code,this.field=e.field,this.retryAfter=e.retryAfter,this.status=e.status,this.errors=e.errors??[]}get retryable(){return this.code===`RATE_LIMITED`||this.code===`UNAVAILABLE`||this.code===`GATEWAY_UNAVAILABLE`}};function Qe(e,t={}){let n=e[0]??{message:`the server answered with an empty error list`},r=n.extensions??{},i=Ze(r.code)?r.code:`INTERNAL`,a=$e(r.retryAfter);return a===void 0&&t.retryAfterHeader&&(a=$e(t.retryAfterHeader)),new V({code:i,message:n.message,field:typeof r.field==`string`?r.field:void 0,retryAfter:a,status:t.status,errors:[...e]})}function $e(e){if(typeof e==`number`&&Number.isFinite(e)&&e>=0)return e;if(typeof e==`string`&&/^\d+(\.\d+)?$/.test(e.trim()))return Number(e)}function et(e){switch(e){case 4400:return`INVALID_INPUT`;case 4401:return`UNAUTHENTICATED`;case 4403:return`FORBIDDEN`;case 4429:return`RATE_LIMITED`;default:return}}function H(e){if(e instanceof V)return e;if(Array.isArray(e)&&e.length>0&&typeof e[0]?.message==`string`)return Qe(e);if(e&&typeof e==`object`&&typeof e.code==`number`){let t=e;return new V({code:et(t.code)??`UNAVAILABLE`,message:t.reason||`the websocket closed (${t.code})`,cause:e})}return new V({code:`INTERNAL`,message:e instanceof Error?e.message:String(e),cause:e})}function tt(e){let t=e?.trim();if(t)return/^bearer\s/i.test(t)?t:`Bearer ${t}`}function nt(e){return typeof e==`function`?e():e}function rt(e,t){let n=new URL(e,t??(typeof location<`u`?location.href:void 0));return n.protocol=n.protocol===`https:`?`wss:`:`ws:`,n.toString()}function it(e){let t,n={...e},r=()=>(t||=Ge({url:n.wsUrl??rt(n.url),webSocketImpl:n.webSocketImpl,lazy:!0,connectionParams:()=>{let e=tt(nt(n.token));return e?{authorization:e}:{}},shouldRetry:e=>{let t=e?.code;return!(typeof t==`number`&&t>=4400&&t<4500)},retryAttempts:5}),t);return{options:n,async request(e,t,r){let i=n.fetch??globalThis.fetch,a={"Content-Type":`application/json`,Accept:`application/json`},o=tt(nt(n.token));o&&(a.Authorization=o);let s;try{s=await i(n.url,{method:`POST`,headers:a,body:JSON.stringify({query:e.toString(),variables:t??{}}),signal:r?.signal})}catch(e){throw e?.name===`AbortError`?e:new V({code:`UNAVAILABLE`,message:`could not reach the server`,cause:e})}let c;try{c=await s.json()}catch(e){throw new V({code:s.status===429?`RATE_LIMITED`:s.status>=500?`UNAVAILABLE`:`INTERNAL`,message:`the server answered ${s.status} without a GraphQL body`,status:s.status,retryAfter:at(s),cause:e})}if(c?.errors&&c.errors.length>0)throw Qe(c.errors,{status:s.status,retryAfterHeader:s.headers.get(`Retry-After`)});if(!s.ok||c?.data==null)throw new V({code:`INTERNAL`,message:`the server answered ${s.status} without data`,status:s.status});return c.data},subscribe(e,t,n){return r().subscribe({query:e.toString(),variables:t},{next:e=>{e.errors&&e.errors.length>0?n.error?.(Qe(e.errors)):e.data!=null&&n.next(e.data)},error:e=>n.error?.(H(e)),complete:()=>n.complete?.()})},onSocket(e){let t=r(),n=[t.on(`connected`,()=>e(`connected`)),t.on(`closed`,()=>e(`closed`))];return()=>n.forEach(e=>e())},withToken(e){return it({...n,token:e})},dispose(){t?.dispose(),t=void 0}}}function at(e){let t=e.headers.get(`Retry-After`);return t&&/^\d+$/.test(t)?Number(t):void 0}async function ot(e,t={}){if(!e||e.kind===`NONE`)return{kind:`none`};switch(e.kind){case`REDIRECT`:{let n=e.redirectUrl;if(!n)throw new V({code:`INVALID_INPUT`,message:`the next action is a redirect without a URL`});return(t.navigate??(e=>window.location.assign(e)))(n),{kind:`redirected`,url:n}}case`CONFIRM`:{let n=e.clientSecret;if(!n)throw new V({code:`INVALID_INPUT`,message:`the next action is a confirmation without a client secret`});if(!t.confirm)throw new V({code:`INVALID_INPUT`,message:`this payment must be confirmed with the gateway's script (Stripe.js): pass confirm to resumeCheckout`});return await t.confirm(n),{kind:`confirmed`}}}throw new V({code:`INVALID_INPUT`,message:`unknown next action ${String(e.kind)}`})}var U=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},st=new U(`
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}
    `,{fragmentName:`BalanceFields`}),ct=new U(`
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}
    `,{fragmentName:`SubscriptionCheckoutFields`}),lt=new U(`
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}
    `,{fragmentName:`WatchedOrder`}),ut={"\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n":new U(`
    query BillingViewer {
  viewer {
    user {
      id
      email
      name
    }
    memberships {
      role
      org {
        id
        name
        currency
        country
        status
      }
    }
  }
}
    `),"\n  mutation BillingCreateOrg($input: CreateOrgInput!) {\n    createOrg(input: $input) { org { id name currency country status } }\n  }\n":new U(`
    mutation BillingCreateOrg($input: CreateOrgInput!) {
  createOrg(input: $input) {
    org {
      id
      name
      currency
      country
      status
    }
  }
}
    `),"\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n":st,"\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n":new U(`
    query BillingOverview($orgId: ID!) {
  org(id: $orgId) {
    id
    name
    currency
    country
    status
    seats {
      total
      used
      available
      pending
    }
    balance {
      ...BalanceFields
    }
  }
}
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}`),"\n  subscription BillingBalanceUpdated($orgId: ID!) {\n    balanceUpdated(orgId: $orgId) {\n      balance { ...BalanceFields }\n      entry { id kind amount reason }\n    }\n  }\n":new U(`
    subscription BillingBalanceUpdated($orgId: ID!) {
  balanceUpdated(orgId: $orgId) {
    balance {
      ...BalanceFields
    }
    entry {
      id
      kind
      amount
      reason
    }
  }
}
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}`),"\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n":new U(`
    query BillingPacks($currency: Currency!) {
  packs(currency: $currency) {
    id
    code
    name
    credits
    custom
    validity
    price(currency: $currency) {
      amount
      amountMinor
      currency
    }
  }
}
    `),"\n  mutation BillingPurchase($input: PurchasePackInput!) {\n    purchasePack(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n":new U(`
    mutation BillingPurchase($input: PurchasePackInput!) {
  purchasePack(input: $input) {
    order {
      id
      number
      status
      failureReason
      credits
      total {
        amount
        currency
      }
      invoice {
        id
        number
        pdfUrl
      }
    }
    nextAction {
      kind
      redirectUrl
      clientSecret
    }
  }
}
    `),"\n  query BillingTopUpOptions($currency: Currency!) {\n    topUpOptions(currency: $currency) {\n      credits\n      per { amount currency }\n      presets { amount amountMinor currency }\n      min { amount amountMinor currency }\n      max { amount amountMinor currency }\n      validity\n      rounding\n    }\n  }\n":new U(`
    query BillingTopUpOptions($currency: Currency!) {
  topUpOptions(currency: $currency) {
    credits
    per {
      amount
      currency
    }
    presets {
      amount
      amountMinor
      currency
    }
    min {
      amount
      amountMinor
      currency
    }
    max {
      amount
      amountMinor
      currency
    }
    validity
    rounding
  }
}
    `),"\n  query BillingTopUpQuote($orgId: ID!, $amount: String!) {\n    topUpQuote(orgId: $orgId, amount: $amount) {\n      credits\n      rounding\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      taxRateBasisPoints\n      total { amount currency }\n    }\n  }\n":new U(`
    query BillingTopUpQuote($orgId: ID!, $amount: String!) {
  topUpQuote(orgId: $orgId, amount: $amount) {
    credits
    rounding
    lines {
      kind
      description
      amount {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
    tax {
      amount
      currency
    }
    taxRateBasisPoints
    total {
      amount
      currency
    }
  }
}
    `),"\n  mutation BillingTopUp($input: TopUpInput!) {\n    topUp(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n":new U(`
    mutation BillingTopUp($input: TopUpInput!) {
  topUp(input: $input) {
    order {
      id
      number
      status
      failureReason
      credits
      total {
        amount
        currency
      }
      invoice {
        id
        number
        pdfUrl
      }
    }
    nextAction {
      kind
      redirectUrl
      clientSecret
    }
  }
}
    `),"\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } } }\n      }\n    }\n  }\n":new U(`
    query BillingOrders($orgId: ID!) {
  org(id: $orgId) {
    id
    orders(first: 50) {
      edges {
        node {
          id
          number
          status
          credits
          createdAt
          failureReason
          total {
            amount
            currency
          }
          invoice {
            id
            number
          }
        }
      }
    }
    invoices(first: 50) {
      edges {
        node {
          id
          number
          issuedAt
          status
          pdfUrl
          orderNumber
          total {
            amount
            currency
          }
        }
      }
    }
  }
}
    `),"\n  mutation BillingCancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { id status }\n  }\n":new U(`
    mutation BillingCancelOrder($id: ID!) {
  cancelOrder(orderId: $id) {
    id
    status
  }
}
    `),"\n  query BillingMembers($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      members(first: 100) { edges { node { role createdAt user { id email name } } } }\n    }\n  }\n":new U(`
    query BillingMembers($orgId: ID!) {
  org(id: $orgId) {
    id
    seats {
      total
      used
      available
      pending
    }
    members(first: 100) {
      edges {
        node {
          role
          createdAt
          user {
            id
            email
            name
          }
        }
      }
    }
  }
}
    `),"\n  query BillingInvitations($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      invitations { id email role expiresAt acceptedAt revokedAt }\n    }\n  }\n":new U(`
    query BillingInvitations($orgId: ID!) {
  org(id: $orgId) {
    id
    invitations {
      id
      email
      role
      expiresAt
      acceptedAt
      revokedAt
    }
  }
}
    `),"\n  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {\n    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }\n  }\n":new U(`
    mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
  inviteMember(orgId: $orgId, email: $email, role: $role) {
    token
    invitation {
      id
      email
      role
      expiresAt
    }
  }
}
    `),"\n  mutation BillingRevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) { invitation { id revokedAt } }\n  }\n":new U(`
    mutation BillingRevokeInvitation($id: ID!) {
  revokeInvitation(id: $id) {
    invitation {
      id
      revokedAt
    }
  }
}
    `),"\n  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {\n    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }\n  }\n":new U(`
    mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(orgId: $orgId, userId: $userId, role: $role) {
    member {
      role
      user {
        id
      }
    }
  }
}
    `),"\n  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {\n    removeMember(orgId: $orgId, userId: $userId) { userId }\n  }\n":new U(`
    mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
  removeMember(orgId: $orgId, userId: $userId) {
    userId
  }
}
    `),"\n  query BillingApiKeys($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }\n    }\n  }\n":new U(`
    query BillingApiKeys($orgId: ID!) {
  org(id: $orgId) {
    id
    apiKeys {
      id
      name
      prefix
      createdAt
      lastUsedAt
      revokedAt
      createdBy {
        name
        email
      }
    }
  }
}
    `),"\n  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {\n    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }\n  }\n":new U(`
    mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
  createApiKey(orgId: $orgId, name: $name) {
    secret
    apiKey {
      id
      name
      prefix
    }
  }
}
    `),"\n  mutation BillingRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { apiKey { id revokedAt } }\n  }\n":new U(`
    mutation BillingRevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    apiKey {
      id
      revokedAt
    }
  }
}
    `),"\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed metrics { metric quantity limit fractionUsed level overLimit } }\n      subscription {\n        id\n        status\n        seats\n        autoRenew\n        scheduledChange { seats effectiveAt plan { id name } }\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n":new U(`
    query BillingPlan($orgId: ID!) {
  org(id: $orgId) {
    id
    seats {
      total
      used
      available
      pending
    }
    usage {
      scope
      periodStart
      periodEnd
      creditsConsumed
      metrics {
        metric
        quantity
        limit
        fractionUsed
        level
        overLimit
      }
    }
    subscription {
      id
      status
      seats
      autoRenew
      scheduledChange {
        seats
        effectiveAt
        plan {
          id
          name
        }
      }
      currentPeriodEnd
      renewsAt
      cancelAtPeriodEnd
      includedCreditsPerMonth
      includedCreditsLeft
      plan {
        id
        name
        interval
      }
    }
  }
}
    `),"\n  subscription BillingSubscriptionUpdated($orgId: ID!) {\n    subscriptionUpdated(orgId: $orgId) { id status seats }\n  }\n":new U(`
    subscription BillingSubscriptionUpdated($orgId: ID!) {
  subscriptionUpdated(orgId: $orgId) {
    id
    status
    seats
  }
}
    `),"\n  query BillingPlans($currency: Currency!) {\n    plans(currency: $currency) {\n      id\n      code\n      name\n      interval\n      includedCreditsPerSeat\n      price(currency: $currency) { amount currency }\n    }\n  }\n":new U(`
    query BillingPlans($currency: Currency!) {
  plans(currency: $currency) {
    id
    code
    name
    interval
    includedCreditsPerSeat
    price(currency: $currency) {
      amount
      currency
    }
  }
}
    `),"\n  query BillingPreviewChange($input: PreviewChangeInput!) {\n    previewChange(input: $input) {\n      kind\n      immediate\n      effectiveAt\n      seats\n      plan { id name }\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      total { amount currency }\n      credits\n      renewal { amount currency }\n    }\n  }\n":new U(`
    query BillingPreviewChange($input: PreviewChangeInput!) {
  previewChange(input: $input) {
    kind
    immediate
    effectiveAt
    seats
    plan {
      id
      name
    }
    lines {
      kind
      description
      amount {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
    tax {
      amount
      currency
    }
    total {
      amount
      currency
    }
    credits
    renewal {
      amount
      currency
    }
  }
}
    `),"\n  fragment SubscriptionCheckoutFields on SubscriptionCheckout {\n    subscription { id status seats plan { id name } }\n    order { id number status failureReason credits total { amount currency } }\n    nextAction { kind redirectUrl clientSecret }\n  }\n":ct,"\n  mutation BillingSubscribe($input: SubscribeInput!) {\n    subscribe(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new U(`
    mutation BillingSubscribe($input: SubscribeInput!) {
  subscribe(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`),"\n  mutation BillingChangePlan($input: ChangePlanInput!) {\n    changePlan(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new U(`
    mutation BillingChangePlan($input: ChangePlanInput!) {
  changePlan(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`),"\n  mutation BillingChangeSeats($input: ChangeSeatsInput!) {\n    changeSeats(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new U(`
    mutation BillingChangeSeats($input: ChangeSeatsInput!) {
  changeSeats(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`),"\n  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {\n    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n":new U(`
    mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
  cancelSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `),"\n  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {\n    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n":new U(`
    mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
  resumeSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `),"\n  query BillingPaymentMethods($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }\n    }\n  }\n":new U(`
    query BillingPaymentMethods($orgId: ID!) {
  org(id: $orgId) {
    id
    paymentMethods {
      id
      brand
      last4
      expMonth
      expYear
      isDefault
      gateway
      kind
      status
    }
  }
}
    `),"\n  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {\n    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }\n  }\n":new U(`
    mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    paymentMethod {
      id
      brand
      last4
      status
      isDefault
    }
    nextAction {
      kind
      redirectUrl
    }
  }
}
    `),"\n  mutation BillingSetDefaultPaymentMethod($id: ID!) {\n    setDefaultPaymentMethod(id: $id) { id isDefault }\n  }\n":new U(`
    mutation BillingSetDefaultPaymentMethod($id: ID!) {
  setDefaultPaymentMethod(id: $id) {
    id
    isDefault
  }
}
    `),"\n  mutation BillingRemovePaymentMethod($id: ID!) {\n    removePaymentMethod(id: $id) { paymentMethod { id status } }\n  }\n":new U(`
    mutation BillingRemovePaymentMethod($id: ID!) {
  removePaymentMethod(id: $id) {
    paymentMethod {
      id
      status
    }
  }
}
    `),"\n  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {\n    setAutoRecharge(input: $input) { enabled threshold quantity }\n  }\n":new U(`
    mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
  setAutoRecharge(input: $input) {
    enabled
    threshold
    quantity
  }
}
    `),"\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { id name }\n        paymentMethod { id brand last4 }\n      }\n    }\n  }\n":new U(`
    query BillingAutoRecharge($orgId: ID!) {
  org(id: $orgId) {
    id
    autoRecharge {
      enabled
      mode
      threshold
      quantity
      paused
      pauseReason
      spendingLimit {
        amount
        currency
      }
      spentThisPeriod {
        amount
        currency
      }
      periodEnd
      pack {
        id
        name
      }
      paymentMethod {
        id
        brand
        last4
      }
    }
  }
}
    `),"\n  mutation BillingAcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) { membership { role org { id name } } }\n  }\n":new U(`
    mutation BillingAcceptInvitation($token: String!) {
  acceptInvitation(token: $token) {
    membership {
      role
      org {
        id
        name
      }
    }
  }
}
    `),"\n  mutation BillingSpend($input: ConsumeCreditsInput!) {\n    consumeCredits(input: $input) { entry { id amount balanceAfter } }\n  }\n":new U(`
    mutation BillingSpend($input: ConsumeCreditsInput!) {
  consumeCredits(input: $input) {
    entry {
      id
      amount
      balanceAfter
    }
  }
}
    `),"\n  fragment WatchedOrder on Order {\n    id\n    number\n    status\n    failureReason\n    credits\n    total { amount currency }\n    invoice { id number pdfUrl }\n  }\n":lt,"\n  query WatchOrder($id: ID!) {\n    order(id: $id) { ...WatchedOrder }\n  }\n":new U(`
    query WatchOrder($id: ID!) {
  order(id: $id) {
    ...WatchedOrder
  }
}
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}`),"\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) { ...WatchedOrder }\n  }\n":new U(`
    subscription WatchOrderUpdates($orgId: ID!) {
  orderUpdated(orgId: $orgId) {
    ...WatchedOrder
  }
}
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}`)};function W(e){return ut[e]??{}}W(`
  fragment WatchedOrder on Order {
    id
    number
    status
    failureReason
    credits
    total { amount currency }
    invoice { id number pdfUrl }
  }
`);var dt=W(`
  query WatchOrder($id: ID!) {
    order(id: $id) { ...WatchedOrder }
  }
`),ft=W(`
  subscription WatchOrderUpdates($orgId: ID!) {
    orderUpdated(orgId: $orgId) { ...WatchedOrder }
  }
`),pt=[`PAID`,`PARTIALLY_REFUNDED`,`REFUNDED`],mt=[`FAILED`,`CANCELED`],ht=class extends V{order;constructor(e){super({code:`PAYMENT_FAILED`,message:e.status===`CANCELED`?`order ${e.number} was canceled`:`order ${e.number} failed${e.failureReason?`: ${e.failureReason}`:``}`}),this.name=`OrderNotPaidError`,this.order=e}};function gt(e,t){return new Promise((n,r)=>{let i=!1,a,o,s=e=>{i||(i=!0,o?.(),a!==void 0&&clearInterval(a),t.signal?.removeEventListener(`abort`,c),e())},c=()=>s(()=>r(t.signal?.reason??new DOMException(`aborted`,`AbortError`))),l=e=>{!i&&e&&e.id===t.orderId&&(t.onUpdate?.(e),pt.includes(e.status)?s(()=>n(e)):mt.includes(e.status)&&s(()=>r(new ht(e))))},u=()=>e.request(dt,{id:t.orderId}).then(e=>{e.order?l(e.order):s(()=>r(new V({code:`NOT_FOUND`,message:`the order does not exist`})))},e=>{let t=H(e);t.retryable||s(()=>r(t))});if(t.signal?.aborted)return c();t.signal?.addEventListener(`abort`,c),o=e.subscribe(ft,{orgId:t.orgId},{next:e=>l(e.orderUpdated),error:e=>{e.retryable||s(()=>r(e))}}),i&&o(),u();let d=t.pollInterval??1e4;d>0&&!i&&(a=setInterval(()=>void u(),d))})}function _t(e,t=2){let n=e.trim(),r=/^(\d+)(?:\.(\d*))?$/.exec(n);if(!r||n.includes(`.`)&&!r[2])return{ok:!1,reason:`Type an amount such as 50 or 50.00.`};let i=r[2]??``;if(i.length>t)return{ok:!1,reason:`At most ${t} decimals.`};let a=r[1].replace(/^0+(?=\d)/,``),o=a+i.padEnd(t,`0`),s=Number(o);return Number.isSafeInteger(s)?{ok:!0,minor:s,decimal:t===0?a:`${a}.${i.padEnd(t,`0`)}`}:{ok:!1,reason:`That amount is too large.`}}function G(e,t,n,r){let[i,a]=P({loading:!0}),[o,s]=P(0),c=De(n);c.current=n,Ee(()=>{let n=new AbortController;return a(e=>({data:e.data,loading:!0})),e.request(t,c.current,{signal:n.signal}).then(e=>!n.signal.aborted&&a({data:e,loading:!1}),e=>!n.signal.aborted&&a({error:H(e),loading:!1})),()=>n.abort()},[e,t,r,o]);let l=ke(()=>s(e=>e+1),[]);return{...i,reload:l}}function K(e,t){let[n,r]=P({busy:!1}),i=ke(async n=>{r({busy:!0});try{let i=await e.request(t,n);return r({data:i,busy:!1}),i}catch(e){r({error:H(e),busy:!1});return}},[e,t]),a=ke(()=>r({busy:!1}),[]);return{...n,run:i,reset:a}}var vt=W(`
  query BillingViewer {
    viewer {
      user { id email name }
      memberships { role org { id name currency country status } }
    }
  }
`),yt=W(`
  mutation BillingCreateOrg($input: CreateOrgInput!) {
    createOrg(input: $input) { org { id name currency country status } }
  }
`);W(`
  fragment BalanceFields on Balance {
    total
    free
    paid
    updatedAt
    grants { id kind paid amount remaining expiresAt reason }
  }
`);var bt=W(`
  query BillingOverview($orgId: ID!) {
    org(id: $orgId) {
      id
      name
      currency
      country
      status
      seats { total used available pending }
      balance { ...BalanceFields }
    }
  }
`),xt=W(`
  subscription BillingBalanceUpdated($orgId: ID!) {
    balanceUpdated(orgId: $orgId) {
      balance { ...BalanceFields }
      entry { id kind amount reason }
    }
  }
`),St=W(`
  query BillingPacks($currency: Currency!) {
    packs(currency: $currency) {
      id
      code
      name
      credits
      custom
      validity
      price(currency: $currency) { amount amountMinor currency }
    }
  }
`),Ct=W(`
  mutation BillingPurchase($input: PurchasePackInput!) {
    purchasePack(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`),wt=W(`
  query BillingTopUpOptions($currency: Currency!) {
    topUpOptions(currency: $currency) {
      credits
      per { amount currency }
      presets { amount amountMinor currency }
      min { amount amountMinor currency }
      max { amount amountMinor currency }
      validity
      rounding
    }
  }
`),Tt=W(`
  query BillingTopUpQuote($orgId: ID!, $amount: String!) {
    topUpQuote(orgId: $orgId, amount: $amount) {
      credits
      rounding
      lines { kind description amount { amount currency } }
      subtotal { amount currency }
      tax { amount currency }
      taxRateBasisPoints
      total { amount currency }
    }
  }
`),Et=W(`
  mutation BillingTopUp($input: TopUpInput!) {
    topUp(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`),Dt=W(`
  query BillingOrders($orgId: ID!) {
    org(id: $orgId) {
      id
      orders(first: 50) {
        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }
      }
      invoices(first: 50) {
        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } } }
      }
    }
  }
`),Ot=W(`
  mutation BillingCancelOrder($id: ID!) {
    cancelOrder(orderId: $id) { id status }
  }
`),kt=W(`
  query BillingMembers($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      members(first: 100) { edges { node { role createdAt user { id email name } } } }
    }
  }
`),At=W(`
  query BillingInvitations($orgId: ID!) {
    org(id: $orgId) {
      id
      invitations { id email role expiresAt acceptedAt revokedAt }
    }
  }
`),jt=W(`
  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }
  }
`),Mt=W(`
  mutation BillingRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) { invitation { id revokedAt } }
  }
`),Nt=W(`
  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }
  }
`),Pt=W(`
  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
    removeMember(orgId: $orgId, userId: $userId) { userId }
  }
`),Ft=W(`
  query BillingApiKeys($orgId: ID!) {
    org(id: $orgId) {
      id
      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }
    }
  }
`),It=W(`
  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }
  }
`),Lt=W(`
  mutation BillingRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { apiKey { id revokedAt } }
  }
`),Rt=W(`
  query BillingPlan($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      usage { scope periodStart periodEnd creditsConsumed metrics { metric quantity limit fractionUsed level overLimit } }
      subscription {
        id
        status
        seats
        autoRenew
        scheduledChange { seats effectiveAt plan { id name } }
        currentPeriodEnd
        renewsAt
        cancelAtPeriodEnd
        includedCreditsPerMonth
        includedCreditsLeft
        plan { id name interval }
      }
    }
  }
`),zt=W(`
  subscription BillingSubscriptionUpdated($orgId: ID!) {
    subscriptionUpdated(orgId: $orgId) { id status seats }
  }
`),Bt=W(`
  query BillingPlans($currency: Currency!) {
    plans(currency: $currency) {
      id
      code
      name
      interval
      includedCreditsPerSeat
      price(currency: $currency) { amount currency }
    }
  }
`),Vt=W(`
  query BillingPreviewChange($input: PreviewChangeInput!) {
    previewChange(input: $input) {
      kind
      immediate
      effectiveAt
      seats
      plan { id name }
      lines { kind description amount { amount currency } }
      subtotal { amount currency }
      tax { amount currency }
      total { amount currency }
      credits
      renewal { amount currency }
    }
  }
`);W(`
  fragment SubscriptionCheckoutFields on SubscriptionCheckout {
    subscription { id status seats plan { id name } }
    order { id number status failureReason credits total { amount currency } }
    nextAction { kind redirectUrl clientSecret }
  }
`);var Ht=W(`
  mutation BillingSubscribe($input: SubscribeInput!) {
    subscribe(input: $input) { ...SubscriptionCheckoutFields }
  }
`),Ut=W(`
  mutation BillingChangePlan($input: ChangePlanInput!) {
    changePlan(input: $input) { ...SubscriptionCheckoutFields }
  }
`),Wt=W(`
  mutation BillingChangeSeats($input: ChangeSeatsInput!) {
    changeSeats(input: $input) { ...SubscriptionCheckoutFields }
  }
`),Gt=W(`
  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`),Kt=W(`
  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`),qt=W(`
  query BillingPaymentMethods($orgId: ID!) {
    org(id: $orgId) {
      id
      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }
    }
  }
`),Jt=W(`
  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }
  }
`),Yt=W(`
  mutation BillingSetDefaultPaymentMethod($id: ID!) {
    setDefaultPaymentMethod(id: $id) { id isDefault }
  }
`),Xt=W(`
  mutation BillingRemovePaymentMethod($id: ID!) {
    removePaymentMethod(id: $id) { paymentMethod { id status } }
  }
`),Zt=W(`
  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
    setAutoRecharge(input: $input) { enabled threshold quantity }
  }
`),Qt=W(`
  query BillingAutoRecharge($orgId: ID!) {
    org(id: $orgId) {
      id
      autoRecharge {
        enabled
        mode
        threshold
        quantity
        paused
        pauseReason
        spendingLimit { amount currency }
        spentThisPeriod { amount currency }
        periodEnd
        pack { id name }
        paymentMethod { id brand last4 }
      }
    }
  }
`),$t=W(`
  mutation BillingAcceptInvitation($token: String!) {
    acceptInvitation(token: $token) { membership { role org { id name } } }
  }
`),en=W(`
  mutation BillingSpend($input: ConsumeCreditsInput!) {
    consumeCredits(input: $input) { entry { id amount balanceAfter } }
  }
`),tn=0;Array.isArray;function q(e,n,r,i,a,o){n||={};var s,c,l=n;if(`ref`in l)for(c in l={},n)c==`ref`?s=n[c]:l[c]=n[c];var u={type:e,props:l,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--tn,__i:-1,__u:0,__source:a,__self:o};if(typeof e==`function`&&(s=e.defaultProps))for(c in s)l[c]===void 0&&(l[c]=s[c]);return t.vnode&&t.vnode(u),u}function J({error:e,title:t}){return q(`div`,{class:`notice notice-error`,role:`alert`,"data-code":e.code,children:[q(`p`,{children:q(`strong`,{children:t??Re[e.code]})}),q(`p`,{children:[e.message,e.field?` (field: ${e.field})`:``,e.retryAfter===void 0?``:` Retry in ${e.retryAfter} s.`]}),q(`p`,{class:`muted`,children:[`Code: `,q(`code`,{children:e.code})]})]})}function Y({what:e}){return q(`p`,{class:`muted`,role:`status`,"aria-live":`polite`,children:[`Loading `,e,`…`]})}function X({children:e}){return q(`p`,{class:`empty`,children:e})}function Z({title:e,id:t,children:n,live:r}){return q(`section`,{"aria-labelledby":t,class:`card`,"data-live":r,children:[q(`h2`,{id:t,children:e}),n]})}function nn({client:e,orgId:t,rights:n}){return n.canManage?q(rn,{client:e,orgId:t}):q(Z,{title:`API keys`,id:`keys-h`,children:q(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[q(`p`,{children:q(`strong`,{children:[`Your role, `,n.role,`, may not manage API keys.`]})}),q(`p`,{children:`API keys are managed by the OWNER and ADMIN roles.`})]})})}function rn({client:e,orgId:t}){let n=G(e,Ft,{orgId:t},t),r=K(e,It),i=K(e,Lt),[a,o]=P(``);if(n.loading&&!n.data)return q(Y,{what:`API keys`});if(n.error)return q(J,{error:n.error});let s=(n.data?.org?.apiKeys??[]).filter(e=>!e.revokedAt);return q(Z,{title:`API keys`,id:`keys-h`,children:[q(`p`,{class:`muted`,children:`A key lets your backend read the balance, spend credits and report usage for this organization.`}),q(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await r.run({orgId:t,name:a})&&(o(``),n.reload())},children:[q(`label`,{for:`key-name`,children:`Key name`}),q(`input`,{id:`key-name`,required:!0,maxLength:100,value:a,onInput:e=>o(e.currentTarget.value)}),q(`button`,{type:`submit`,disabled:r.busy,children:`Create key`})]}),r.error&&q(J,{error:r.error}),r.data&&q(`div`,{class:`notice notice-ok`,role:`status`,children:[q(`p`,{children:[`Key “`,r.data.createApiKey.apiKey.name,`” created. Copy its secret now: it is not shown again.`]}),q(`code`,{class:`secret`,"data-testid":`api-key-secret`,children:r.data.createApiKey.secret})]}),i.error&&q(J,{error:i.error}),s.length===0?q(X,{children:`No API keys.`}):q(`ul`,{class:`list`,children:s.map(e=>q(`li`,{children:[q(`span`,{children:[q(`strong`,{children:e.name}),` `,q(`code`,{children:[e.prefix,`…`]}),` `,q(`span`,{class:`muted`,children:[`created `,I(e.createdAt),`, last used `,I(e.lastUsedAt)]})]}),q(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the key ${e.name}`,disabled:i.busy,onClick:async()=>{confirm(`Revoke the key ${e.name}? Requests with it fail at once.`)&&await i.run({id:e.id})&&n.reload()},children:`Revoke`})]},e.id))})]})}var an={FREE:`Sign-up gift`,PROMO:`Promotion`,SUBSCRIPTION:`Plan credits`,PURCHASED:`Bought pack`,AUTO_RECHARGE:`Auto-recharge`,ADJUSTMENT:`Adjustment`};function on({balance:e,live:t,last:n}){return q(Z,{title:`Credit balance`,id:`balance-h`,live:t?`subscribed`:`connecting`,children:[q(`div`,{class:`chips`,children:[q(`div`,{class:`chip chip-free`,"data-testid":`chip-free`,children:[q(`span`,{class:`chip-label`,children:`Free`}),q(`span`,{class:`chip-value`,children:F(e.free)})]}),q(`div`,{class:`chip chip-paid`,"data-testid":`chip-paid`,children:[q(`span`,{class:`chip-label`,children:`Paid`}),q(`span`,{class:`chip-value`,children:F(e.paid)})]})]}),q(`p`,{class:`muted`,role:`status`,children:[t?`Live: changes appear here as they happen.`:`Connecting for live updates…`,n?` Last change: ${n}.`:``]}),q(`h3`,{children:`Grants, in spending order`}),e.grants.length===0?q(X,{children:`No credits left. Buy a pack to add some.`}):q(`div`,{class:`tablewrap`,children:q(`table`,{children:[q(`caption`,{class:`sr-only`,children:`Credit grants with credits left`}),q(`thead`,{children:q(`tr`,{children:[q(`th`,{scope:`col`,children:`Kind`}),q(`th`,{scope:`col`,children:`Chip`}),q(`th`,{scope:`col`,class:`num`,children:`Remaining`}),q(`th`,{scope:`col`,class:`num`,children:`Of`}),q(`th`,{scope:`col`,children:`Expires`})]})}),q(`tbody`,{children:e.grants.map(e=>q(`tr`,{children:[q(`td`,{children:an[e.kind]}),q(`td`,{children:e.paid?`Paid`:`Free`}),q(`td`,{class:`num`,children:F(e.remaining)}),q(`td`,{class:`num`,children:F(e.amount)}),q(`td`,{children:e.expiresAt?I(e.expiresAt):`Never`})]},e.id))})]})})]})}var sn=`tally.billing.token`,cn=`tally.billing.org`,ln=`tally.billing.pendingOrder`,un=`/graphql`,dn=`/billing/dev/token`;function fn(){return sessionStorage.getItem(sn)??void 0}function pn(e){e?sessionStorage.setItem(sn,e):sessionStorage.removeItem(sn)}function mn(){return sessionStorage.getItem(cn)??void 0}function hn(e){e?sessionStorage.setItem(cn,e):sessionStorage.removeItem(cn)}function gn(e){return it({url:un,token:e})}async function _n(e,t){let n=await fetch(dn,{method:`POST`,headers:{"Content-Type":`application/json`},body:JSON.stringify({email:e,name:t})});if(n.status===404||n.status===405)return;let r=await n.json().catch(()=>({}));if(!n.ok||!r.token)throw Error(r.errors?.[0]?.message??`the server answered ${n.status}`);return r.token}var Q=[{number:`4242424242424242`,label:`4242 4242 4242 4242: pays at once`},{number:`4000002500003155`,label:`4000 0025 0000 3155: 3-D Secure on the confirm page`},{number:`4000000000000259`,label:`4000 0000 0000 0259: pays a moment later`},{number:`4000000000000002`,label:`4000 0000 0000 0002: declined`},{number:`4000000000009995`,label:`4000 0000 0000 9995: declined, insufficient funds`},{number:``,label:`Choose a card on the hosted payment page`}];function vn({client:e,orgId:t,currency:n,rights:r}){let i=G(e,St,{currency:n},n),[a,o]=P(),[s,c]=P(1),[l,u]=P(Q[0].number),[d,f]=P(``),[p,m]=P({kind:`idle`}),h=(n,r)=>{m(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),gt(e,{orgId:t,orderId:n.id,signal:r,onUpdate:e=>m(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>m({kind:`paid`,order:e}),e=>{r?.aborted||m({kind:`failed`,error:H(e)})})};if(Ee(()=>{let e=sessionStorage.getItem(ln);if(!e)return;sessionStorage.removeItem(ln);let n=JSON.parse(e);if(n.orgId!==t)return;new URLSearchParams(location.search).has(`payment_id`)&&history.replaceState(null,``,`${location.pathname}${location.hash}`);let r=new AbortController;return h(n.order,r.signal),()=>r.abort()},[t]),!r.canBuy)return q(Z,{title:`Buy credits`,id:`buy-h`,children:q(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[q(`p`,{children:q(`strong`,{children:[`Your role, `,r.role,`, may not buy credits.`]})}),q(`p`,{children:`Buying credits takes the OWNER or BILLING role. Ask an owner of this organization to buy a pack or to give you the BILLING role.`})]})});if(i.loading&&!i.data)return q(Y,{what:`packs`});if(i.error)return q(J,{error:i.error});let g=(i.data?.packs??[]).filter(e=>!e.custom&&e.price),_=g.find(e=>e.id===a)??g[0],v=async n=>{if(n.preventDefault(),!_)return;m({kind:`paying`});let r=crypto.randomUUID(),i={orgId:t,packId:_.id,quantity:s,idempotencyKey:r,paymentMethodId:l||void 0,invoiceDetails:d.trim()?{companyName:d.trim()}:void 0},a=`${location.origin}${location.pathname}#buy`,o=!0,c;try{try{c=await e.request(Ct,{input:{...i,returnUrl:a}})}catch(t){let n=H(t);if(n.code!==`INVALID_INPUT`||!n.field?.toLowerCase().endsWith(`returnurl`))throw n;o=!1,c=await e.request(Ct,{input:i})}}catch(e){m({kind:`failed`,error:H(e)});return}let{order:u,nextAction:f}=c.purchasePack;if(u.status===`FAILED`||u.status===`CANCELED`)m({kind:`failed`,error:new ht(u)});else if(u.status===`PAID`)m({kind:`paid`,order:u});else if(f?.kind===`REDIRECT`&&f.redirectUrl){if(o){sessionStorage.setItem(ln,JSON.stringify({orgId:t,order:u})),m({kind:`redirecting`,url:f.redirectUrl}),await ot(f);return}m({kind:`action`,url:f.redirectUrl,order:u}),h(u)}else{try{await ot(f)}catch(e){m({kind:`failed`,error:H(e)});return}h(u)}},y=p.kind===`paying`||p.kind===`redirecting`||p.kind===`waiting`||p.kind===`action`;return q(Z,{title:`Buy credits`,id:`buy-h`,children:[g.length===0?q(X,{children:[`No packs are priced in `,n,`.`]}):q(`form`,{onSubmit:v,class:`form`,children:[q(`fieldset`,{children:[q(`legend`,{children:[`Pack (prices in `,n,`, tax added at checkout)`]}),q(`div`,{class:`packs`,children:g.map(e=>q(`label`,{class:`pack${_?.id===e.id?` pack-selected`:``}`,children:[q(`input`,{type:`radio`,name:`pack`,value:e.id,checked:_?.id===e.id,onChange:()=>o(e.id)}),q(`span`,{class:`pack-name`,children:e.name}),q(`span`,{class:`pack-credits`,children:[F(e.credits),` credits`]}),q(`span`,{class:`pack-price`,children:L(e.price)}),q(`span`,{class:`muted`,children:e.validity===`NEVER`?`Never expires`:e.validity===`BILLING_CYCLE`?`Expires with the billing cycle`:`Monthly add-on`})]},e.id))})]}),q(`label`,{for:`buy-qty`,children:`Quantity`}),q(`input`,{id:`buy-qty`,type:`number`,min:1,max:100,required:!0,value:s,onInput:e=>c(Math.max(1,Number(e.currentTarget.value)||1))}),q(`label`,{for:`buy-card`,children:`Card (sandbox test cards)`}),q(`select`,{id:`buy-card`,value:l,onChange:e=>u(e.currentTarget.value),children:Q.map(e=>q(`option`,{value:e.number,children:e.label},e.number))}),q(`label`,{for:`buy-company`,children:`Company name on the invoice (optional)`}),q(`input`,{id:`buy-company`,value:d,onInput:e=>f(e.currentTarget.value),autocomplete:`organization`}),_&&q(`p`,{children:[s,` × `,_.name,`: `,F(_.credits*s),` credits for`,` `,_.price?`${(Number(_.price.amount)*s).toFixed(2)} ${_.price.currency}`:`—`,` before tax.`]}),q(`button`,{type:`submit`,disabled:y||!_,children:p.kind===`paying`?`Paying…`:`Buy`})]}),q(`div`,{"aria-live":`polite`,class:`outcome`,children:[p.kind===`redirecting`&&q(`p`,{role:`status`,children:`Taking you to the payment page to confirm…`}),p.kind===`action`&&q(`div`,{class:`notice notice-info`,role:`status`,children:[q(`p`,{children:[`Order `,p.order.number,` needs you to confirm the payment.`]}),q(`p`,{children:[q(`a`,{href:p.url,target:`_blank`,rel:`noopener`,children:`Open the confirm page`}),` `,`(a new tab); this page updates when the order is paid.`]})]}),p.kind===`waiting`&&q(`p`,{role:`status`,children:[`Order `,p.order.number,` is `,p.order.status.toLowerCase().replace(`_`,` `),`: waiting for the payment…`]}),p.kind===`paid`&&q(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":`purchase-paid`,children:q(`p`,{children:[q(`strong`,{children:`Paid.`}),` Order `,p.order.number,` added `,F(p.order.credits),` credits`,p.order.invoice?`; invoice ${p.order.invoice.number} is under Orders & invoices`:``,`.`]})}),p.kind===`failed`&&q(J,{error:p.error,title:p.error.code===`PAYMENT_FAILED`?`The payment was declined. No credits were added and nothing was charged.`:void 0})]})]})}var yn=`saved`;function bn({client:e,orgId:t,currency:n,rights:r}){let i=G(e,wt,{currency:n},n),a=G(e,qt,{orgId:t},r.canBuy?t:`none`),[o,s]=P(),[c,l]=P(),[u,d]=P({kind:`idle`}),f=i.data?.topUpOptions,p=o??f?.presets[0]?.amount??``,m=_t(p),h=m.ok&&!!f&&m.minor>=f.min.amountMinor&&m.minor<=f.max.amountMinor,g=G(e,Tt,{orgId:t,amount:m.ok?m.decimal:``},h&&m.ok?`${t}:${m.decimal}`:`none`);if(!r.canBuy)return null;if(i.loading&&!i.data)return q(Y,{what:`the top-up options`});if(i.error)return q(J,{error:i.error});if(!f)return null;let _=(a.data?.org?.paymentMethods??[]).find(e=>e.isDefault&&e.status===`ACTIVE`),v=_?Q.filter(e=>e.number!==``):Q,y=c??(_?yn:Q[0].number),b=h&&g.data&&!g.loading?g.data.topUpQuote:void 0,x=m.ok&&!h?`Choose an amount from ${L(f.min)} to ${L(f.max)}.`:void 0,S=n=>{d(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),gt(e,{orgId:t,orderId:n.id,onUpdate:e=>d(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>d({kind:`paid`,order:e}),e=>d({kind:`failed`,error:H(e)}))},C=async n=>{if(n.preventDefault(),!m.ok||!h)return;d({kind:`paying`});let r;try{r=await e.request(Et,{input:{orgId:t,amount:m.decimal,idempotencyKey:crypto.randomUUID(),paymentMethodId:y===yn||y===``?void 0:y}})}catch(e){d({kind:`failed`,error:H(e)});return}let{order:i,nextAction:a}=r.topUp;if(i.status===`FAILED`||i.status===`CANCELED`)d({kind:`failed`,error:new ht(i)});else if(i.status===`PAID`)d({kind:`paid`,order:i});else if(a?.kind===`REDIRECT`&&a.redirectUrl)d({kind:`action`,url:a.redirectUrl,order:i}),S(i);else{try{await ot(a)}catch(e){d({kind:`failed`,error:H(e)});return}S(i)}},w=u.kind===`paying`||u.kind===`waiting`||u.kind===`action`;return q(Z,{title:`Top up by amount`,id:`topup-h`,children:[q(`p`,{class:`muted`,children:[`Credits at the pack price, no markup: `,F(f.credits),` credits per `,L(f.per),`,`,` `,f.validity===`NEVER`?`never expiring`:`expiring with the billing cycle`,`. Tax is added at checkout.`]}),q(`form`,{onSubmit:C,class:`form`,"data-testid":`topup-form`,children:[q(`fieldset`,{children:[q(`legend`,{children:[`Amount (`,n,`)`]}),q(`div`,{class:`presets`,role:`group`,"aria-label":`Preset amounts`,children:f.presets.map(e=>q(`button`,{type:`button`,class:m.ok&&m.minor===e.amountMinor?`preset preset-selected`:`preset`,"aria-pressed":m.ok&&m.minor===e.amountMinor,"data-amount":e.amount,onClick:()=>s(e.amount),children:L(e)},e.amount))}),q(`label`,{for:`topup-amount`,children:[`Or any amount from `,f.min.amount,` to `,f.max.amount]}),q(`input`,{id:`topup-amount`,inputMode:`decimal`,autocomplete:`off`,value:p,"aria-invalid":!m.ok||!!x,"aria-describedby":`topup-amount-help`,onInput:e=>s(e.currentTarget.value)}),q(`p`,{id:`topup-amount-help`,class:`muted`,role:!m.ok||x?`alert`:void 0,children:m.ok?x??``:m.reason})]}),q(`label`,{for:`topup-card`,children:`Pay with`}),q(`select`,{id:`topup-card`,value:y,onChange:e=>l(e.currentTarget.value),children:[_&&q(`option`,{value:yn,children:[`Default saved card: `,_.brand??`card`,` •••• `,_.last4??`????`]}),v.map(e=>q(`option`,{value:e.number,children:e.label},e.number))]}),g.error&&h&&q(J,{error:g.error}),b&&q(`div`,{class:`quote`,"data-testid":`topup-quote`,children:[q(`p`,{children:[L(b.subtotal),` buys `,q(`strong`,{"data-testid":`topup-credits`,children:F(b.credits)}),` credits. Tax `,L(b.tax),`; you pay`,` `,q(`strong`,{"data-testid":`topup-total`,children:L(b.total)}),`.`]}),q(`p`,{class:`muted`,"data-testid":`topup-rounding`,children:b.rounding})]}),q(`button`,{type:`submit`,disabled:w||!b,children:u.kind===`paying`?`Paying…`:b?`Top up ${L(b.total)}`:`Top up`})]}),q(`div`,{"aria-live":`polite`,class:`outcome`,children:[u.kind===`action`&&q(`div`,{class:`notice notice-info`,role:`status`,children:[q(`p`,{children:[`Order `,u.order.number,` needs you to confirm the payment.`]}),q(`p`,{children:[q(`a`,{href:u.url,target:`_blank`,rel:`noopener`,children:`Open the confirm page`}),` `,`(a new tab); this page updates when the order is paid.`]})]}),u.kind===`waiting`&&q(`p`,{role:`status`,children:[`Order `,u.order.number,` is waiting for the payment…`]}),u.kind===`paid`&&q(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":`topup-paid`,children:q(`p`,{children:[q(`strong`,{children:`Paid.`}),` Order `,u.order.number,` added `,F(u.order.credits),` credits`,u.order.invoice?`; invoice ${u.order.invoice.number} is under Orders & invoices`:``,`.`]})}),u.kind===`failed`&&q(J,{error:u.error,title:u.error.code===`PAYMENT_FAILED`?`The payment was declined. No credits were added and nothing was charged.`:void 0})]})]})}var xn=[`OWNER`,`ADMIN`,`BILLING`,`MEMBER`];function Sn({client:e,orgId:t,rights:n}){let r=G(e,kt,{orgId:t},t),i=K(e,Nt),a=K(e,Pt);if(r.loading&&!r.data)return q(Y,{what:`members`});if(r.error)return q(J,{error:r.error});let o=r.data.org,s=o.members.edges.map(e=>e.node),c=i.error??a.error;return q(S,{children:[q(Z,{title:`Seats`,id:`seats-h`,children:[q(`p`,{children:[q(`strong`,{children:o.seats.used}),` of `,q(`strong`,{children:o.seats.total}),` seats used, `,o.seats.pending,` held by pending invitations,`,` `,o.seats.available,` free.`]}),q(`meter`,{min:0,max:o.seats.total,value:o.seats.used+o.seats.pending,"aria-label":`Seats taken`,children:[o.seats.used+o.seats.pending,` of `,o.seats.total]})]}),q(Z,{title:`Members`,id:`members-h`,children:[c&&q(J,{error:c}),!n.canManage&&q(`p`,{class:`muted`,children:[`Changing roles and members takes the OWNER or ADMIN role; yours is `,n.role,`.`]}),q(`ul`,{class:`list`,children:s.map(e=>q(`li`,{children:[q(`span`,{children:[q(`strong`,{children:e.user.name||e.user.email}),e.user.name&&q(S,{children:[` `,q(`span`,{class:`muted`,children:e.user.email})]})]}),n.canManage&&e.role!==`OWNER`?q(`span`,{class:`row`,children:[q(`label`,{class:`sr-only`,for:`role-${e.user.id}`,children:[`Role of `,e.user.email]}),q(`select`,{id:`role-${e.user.id}`,value:e.role,disabled:i.busy,onChange:async n=>{await i.run({orgId:t,userId:e.user.id,role:n.currentTarget.value})&&r.reload()},children:xn.filter(e=>e!==`OWNER`).map(e=>q(`option`,{value:e,children:e},e))}),q(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${e.user.email}`,disabled:a.busy,onClick:async()=>{confirm(`Remove ${e.user.email} from the organization?`)&&await a.run({orgId:t,userId:e.user.id})&&r.reload()},children:`Remove`})]}):q(`span`,{class:`badge`,children:e.role})]},e.user.id))})]}),n.canManage&&q(Cn,{client:e,orgId:t,onChange:r.reload})]})}function Cn({client:e,orgId:t,onChange:n}){let r=G(e,At,{orgId:t},t),i=K(e,jt),a=K(e,Mt),[o,s]=P(``),[c,l]=P(`MEMBER`),u=(r.data?.org?.invitations??[]).filter(e=>!e.acceptedAt&&!e.revokedAt);return q(Z,{title:`Invitations`,id:`invites-h`,children:[q(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await i.run({orgId:t,email:o,role:c})&&(s(``),r.reload(),n())},children:[q(`label`,{for:`invite-email`,children:`Email`}),q(`input`,{id:`invite-email`,type:`email`,required:!0,value:o,onInput:e=>s(e.currentTarget.value)}),q(`label`,{for:`invite-role`,children:`Role`}),q(`select`,{id:`invite-role`,value:c,onChange:e=>l(e.currentTarget.value),children:xn.filter(e=>e!==`OWNER`).map(e=>q(`option`,{value:e,children:e},e))}),q(`button`,{type:`submit`,disabled:i.busy,children:`Invite`})]}),i.error&&q(J,{error:i.error}),i.data?.inviteMember&&q(`div`,{class:`notice notice-ok`,role:`status`,children:[q(`p`,{children:[`Invited `,i.data.inviteMember.invitation.email,`. The invitation token, shown only now, for them to accept:`]}),q(`code`,{class:`secret`,children:i.data.inviteMember.token})]}),a.error&&q(J,{error:a.error}),r.error?q(J,{error:r.error}):r.loading&&!r.data?q(Y,{what:`invitations`}):u.length===0?q(X,{children:`No pending invitations.`}):q(`ul`,{class:`list`,children:u.map(e=>q(`li`,{children:[q(`span`,{children:[e.email,` as `,e.role,`, expires `,I(e.expiresAt)]}),q(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the invitation of ${e.email}`,onClick:async()=>{await a.run({id:e.id})&&(r.reload(),n())},children:`Revoke`})]},e.id))})]})}function wn({client:e,onCreated:t}){let n=K(e,yt),r=K(e,$t),[i,a]=P(`Acme`),[o,s]=P(`DE`),[c,l]=P(`EUR`),[u,d]=P(``);return q(S,{children:[q(`p`,{class:`muted`,children:`You are not a member of any organization yet: create one to get its sign-up credit, or join one you were invited to.`}),q(`div`,{class:`grid2`,children:[q(Z,{title:`Create an organization`,id:`create-org-h`,children:[q(`form`,{onSubmit:async e=>{e.preventDefault();let r=await n.run({input:{name:i,country:o.toUpperCase(),currency:c}});r&&t(r.createOrg.org.id)},class:`form`,children:[q(`label`,{for:`org-name`,children:`Name`}),q(`input`,{id:`org-name`,required:!0,value:i,onInput:e=>a(e.currentTarget.value)}),q(`label`,{for:`org-country`,children:`Country (ISO code)`}),q(`input`,{id:`org-country`,required:!0,maxLength:2,value:o,onInput:e=>s(e.currentTarget.value)}),q(`label`,{for:`org-currency`,children:`Currency`}),q(`select`,{id:`org-currency`,value:c,onChange:e=>l(e.currentTarget.value),children:[q(`option`,{value:`EUR`,children:`EUR`}),q(`option`,{value:`USD`,children:`USD`}),q(`option`,{value:`BRL`,children:`BRL`})]}),q(`button`,{type:`submit`,disabled:n.busy,children:n.busy?`Creating…`:`Create organization`})]}),n.error&&q(J,{error:n.error})]}),q(Z,{title:`Join with an invitation`,id:`join-org-h`,children:[q(`form`,{onSubmit:async e=>{e.preventDefault();let n=await r.run({token:u.trim()});n&&t(n.acceptInvitation.membership.org.id)},class:`form`,children:[q(`label`,{for:`invitation-token`,children:`Invitation token`}),q(`input`,{id:`invitation-token`,required:!0,value:u,onInput:e=>d(e.currentTarget.value),spellcheck:!1}),q(`button`,{type:`submit`,disabled:r.busy,children:r.busy?`Joining…`:`Accept invitation`})]}),r.error&&q(J,{error:r.error})]})]})]})}var Tn={PAID:`badge-ok`,FAILED:`badge-bad`,CANCELED:`badge-muted`,REQUIRES_ACTION:`badge-warn`,PENDING:`badge-warn`,PROCESSING:`badge-warn`};async function En(e,t,n){let r=e.options.token,i=tt(typeof r==`function`?r():r),a=await fetch(t,{headers:i?{Authorization:i}:{}});if(!a.ok){let e=(await a.json().catch(()=>void 0))?.errors?.[0];throw new V({code:e?.extensions?.code===`FORBIDDEN`?`FORBIDDEN`:a.status===404?`NOT_FOUND`:`INTERNAL`,message:e?.message??`the server answered ${a.status}`,status:a.status})}let o=await a.blob(),s=URL.createObjectURL(o),c=document.createElement(`a`);c.href=s,c.download=`${n}.pdf`,document.body.appendChild(c),c.click(),c.remove(),setTimeout(()=>URL.revokeObjectURL(s),1e4)}function Dn({client:e,orgId:t,rights:n}){let r=G(e,Dt,{orgId:t},t),i=K(e,Ot),[a,o]=P(),[s,c]=P(),l=r.reload;if(Ee(()=>{if(n.canBuy)return e.subscribe(ft,{orgId:t},{next:()=>l()})},[e,t,n.canBuy,l]),!n.canBuy)return q(Z,{title:`Orders & invoices`,id:`orders-h`,children:q(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[q(`p`,{children:q(`strong`,{children:[`Your role, `,n.role,`, may not see orders or invoices.`]})}),q(`p`,{children:`They are for the OWNER and BILLING roles.`})]})});if(r.loading&&!r.data)return q(Y,{what:`orders`});if(r.error)return q(J,{error:r.error});let u=r.data?.org?.orders.edges.map(e=>e.node)??[],d=r.data?.org?.invoices.edges.map(e=>e.node)??[];return q(S,{children:[q(Z,{title:`Orders`,id:`orders-h`,children:[q(`button`,{type:`button`,class:`secondary`,onClick:r.reload,children:`Refresh`}),i.error&&q(J,{error:i.error}),u.length===0?q(X,{children:`No orders yet.`}):q(`div`,{class:`tablewrap`,children:q(`table`,{children:[q(`caption`,{class:`sr-only`,children:`Orders, newest first`}),q(`thead`,{children:q(`tr`,{children:[q(`th`,{scope:`col`,children:`Order`}),q(`th`,{scope:`col`,children:`Date`}),q(`th`,{scope:`col`,children:`Status`}),q(`th`,{scope:`col`,class:`num`,children:`Credits`}),q(`th`,{scope:`col`,class:`num`,children:`Total`}),q(`th`,{scope:`col`,children:q(`span`,{class:`sr-only`,children:`Actions`})})]})}),q(`tbody`,{children:u.map(e=>q(`tr`,{children:[q(`td`,{children:e.number}),q(`td`,{children:I(e.createdAt)}),q(`td`,{children:[q(`span`,{class:`badge ${Tn[e.status]??``}`,children:e.status}),e.failureReason&&q(`span`,{class:`muted`,children:[` `,e.failureReason]})]}),q(`td`,{class:`num`,children:F(e.credits)}),q(`td`,{class:`num`,children:L(e.total)}),q(`td`,{children:(e.status===`PENDING`||e.status===`REQUIRES_ACTION`)&&q(`button`,{type:`button`,class:`secondary`,disabled:i.busy,"aria-label":`Cancel order ${e.number}`,onClick:async()=>{await i.run({id:e.id})&&r.reload()},children:`Cancel`})})]},e.id))})]})})]}),q(Z,{title:`Invoices`,id:`invoices-h`,children:[a&&q(J,{error:a}),s&&q(`p`,{role:`status`,class:`muted`,children:[`Downloaded `,s,`.pdf`]}),d.length===0?q(X,{children:`No invoices yet. A paid order gets one.`}):q(`ul`,{class:`list`,children:d.map(t=>q(`li`,{children:[q(`span`,{children:[q(`strong`,{children:t.number}),` · `,I(t.issuedAt),` · `,L(t.total),` · order `,t.orderNumber,t.status!==`PAID`&&q(`span`,{class:`badge badge-muted`,children:[` `,t.status]})]}),q(`button`,{type:`button`,"aria-label":`Download invoice ${t.number} as PDF`,onClick:async()=>{o(void 0);try{await En(e,t.pdfUrl,t.number),c(t.number)}catch(e){o(e instanceof V?e:new V({code:`INTERNAL`,message:String(e)}))}},children:`Download PDF`})]},t.id))})]})]})}function On({rights:e,what:t}){return q(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,"data-testid":`read-only`,children:[q(`p`,{children:q(`strong`,{children:[`Your role, `,e.role,`, may not change `,t,`.`]})}),q(`p`,{children:`That takes the OWNER or BILLING role: ask an owner of this organization.`})]})}function kn({client:e,orgId:t,currency:n,rights:r}){let i=G(e,Rt,{orgId:t},t),a=G(e,qt,{orgId:t},r.canBuy?t:`none`),o=i.reload;if(Ee(()=>e.subscribe(zt,{orgId:t},{next:()=>o()}),[e,t,o]),i.loading&&!i.data)return q(Y,{what:`the plan`});if(i.error)return q(J,{error:i.error});let s=i.data.org,c=r.canBuy?a.data?.org?.paymentMethods??[]:[];return q(S,{children:[!r.canBuy&&q(On,{rights:r,what:`the plan, payment methods or auto-recharge`}),q(An,{client:e,orgId:t,org:s,rights:r,reload:i.reload}),r.canBuy&&q(jn,{client:e,orgId:t,currency:n,org:s,saved:c,reload:i.reload}),q(In,{usage:s.usage}),r.canBuy&&q(Rn,{client:e,orgId:t,methods:a}),q(zn,{client:e,orgId:t,currency:n,rights:r,saved:c})]})}function An({client:e,orgId:t,org:n,rights:r,reload:i}){let a=K(e,Gt),o=K(e,Kt),s=n.subscription,c=s&&s.status!==`ENDED`,l=s?s.includedCreditsPerMonth-s.includedCreditsLeft:0,u=a.error??o.error;return q(Z,{title:`Plan`,id:`plan-h`,children:s&&c?q(S,{children:[q(`p`,{"data-testid":`current-plan`,children:[q(`strong`,{"data-testid":`plan-name`,children:s.plan.name}),` (`,s.plan.interval.toLowerCase(),`), `,q(`span`,{"data-testid":`plan-seats`,children:s.seats}),` `,s.seats===1?`seat`:`seats`,`,`,` `,q(`span`,{class:`badge`,"data-testid":`plan-status`,children:s.status})]}),q(`p`,{children:[s.cancelAtPeriodEnd||!s.autoRenew?`Ends`:`Renews`,` `,I(s.renewsAt??s.currentPeriodEnd),`.`]}),s.scheduledChange&&q(`p`,{"data-testid":`scheduled-change`,children:[`Scheduled for `,I(s.scheduledChange.effectiveAt),`: `,s.scheduledChange.plan.name,`, `,s.scheduledChange.seats,` seats.`]}),q(Fn,{id:`included`,label:`Included credits this month`,value:l,max:s.includedCreditsPerMonth,text:`${F(l)} of ${F(s.includedCreditsPerMonth)} used`}),r.canBuy&&q(`div`,{class:`row`,children:s.cancelAtPeriodEnd?q(`button`,{type:`button`,class:`secondary`,disabled:o.busy,onClick:async()=>await o.run({orgId:t,key:crypto.randomUUID()})&&i(),children:`Resume subscription`}):q(`button`,{type:`button`,class:`secondary`,disabled:a.busy,onClick:async()=>{confirm(`Cancel ${s.plan.name}? It stays until ${I(s.currentPeriodEnd)}, then the organization is on the Free plan.`)&&await a.run({orgId:t,key:crypto.randomUUID()})&&i()},children:`Cancel subscription`})}),u&&q(J,{error:u})]}):q(`p`,{"data-testid":`current-plan`,children:[q(`strong`,{"data-testid":`plan-name`,children:`Free plan`}),`: `,n.seats.total,` seats, no charge.`]})})}function jn({client:e,orgId:t,currency:n,org:r,saved:i,reload:a}){let o=G(e,Bt,{currency:n},n),s=r.subscription&&r.subscription.status!==`ENDED`?r.subscription:void 0,c=Math.max(1,r.seats.used+r.seats.pending),[l,u]=P(),[d,f]=P(s?.seats??c),p=i.filter(e=>e.status===`ACTIVE`),[m,h]=P(),[g,_]=P({kind:`idle`});if(o.loading&&!o.data)return q(Y,{what:`the plans`});if(o.error)return q(J,{error:o.error});let v=(o.data?.plans??[]).filter(e=>e.price&&Number(e.price.amount)>0),y=v.find(e=>e.id===(l??s?.plan.id))??v[0],b=s?``:p.find(e=>e.isDefault)?.id??p[0]?.id??Q[0].number,x=m??b,S=()=>_({kind:`idle`}),C=async n=>{if(n.preventDefault(),y){_({kind:`quoting`});try{let n=await e.request(Vt,{input:{orgId:t,planId:y.id,seats:d}});_({kind:`quoted`,quote:n.previewChange})}catch(e){_({kind:`failed`,error:H(e)})}}},w=async()=>{if(!y)return;_({kind:`paying`});let n=crypto.randomUUID(),r=x||void 0,i;try{i=s?y.id!==s.plan.id||d===s.seats?(await e.request(Ut,{input:{orgId:t,planId:y.id,seats:d,paymentMethodId:r,idempotencyKey:n}})).changePlan:(await e.request(Wt,{input:{orgId:t,seats:d,paymentMethodId:r,idempotencyKey:n}})).changeSeats:(await e.request(Ht,{input:{orgId:t,planId:y.id,seats:d,paymentMethodId:r,idempotencyKey:n}})).subscribe}catch(e){_({kind:`failed`,error:H(e)});return}let o=i.order;if(i.order&&(i.order.status===`FAILED`||i.order.status===`CANCELED`))_({kind:`failed`,error:new ht(i.order)}),a();else{if(i.order&&!pt.includes(i.order.status)){i.nextAction.kind===`REDIRECT`&&i.nextAction.redirectUrl&&_({kind:`action`,url:i.nextAction.redirectUrl});try{o=await gt(e,{orgId:t,orderId:i.order.id})}catch(e){_({kind:`failed`,error:H(e)}),a();return}}_({kind:`done`,text:o?`Paid: order ${o.number}, ${L(o.total)}. ${y.name}, ${d} seats.`:`Scheduled: ${y.name}, ${d} seats from the end of the period. Nothing is charged now.`}),a()}},T=g.kind===`quoting`||g.kind===`paying`||g.kind===`action`;return q(Z,{title:s?`Change plan or seats`:`Subscribe to a plan`,id:`change-plan-h`,children:[v.length===0?q(X,{children:[`No plans are priced in `,n,`.`]}):q(`form`,{class:`form`,onSubmit:C,children:[q(`fieldset`,{children:[q(`legend`,{children:[`Plan (per seat, prices in `,n,` before tax)`]}),q(`div`,{class:`packs`,children:v.map(e=>q(`label`,{class:`pack${y?.id===e.id?` pack-selected`:``}`,children:[q(`input`,{type:`radio`,name:`plan`,value:e.id,"data-code":e.code,checked:y?.id===e.id,onChange:()=>{u(e.id),S()}}),q(`span`,{class:`pack-name`,children:[e.name,s?.plan.id===e.id?` (current)`:``]}),q(`span`,{class:`pack-price`,children:[L(e.price),` / seat / `,e.interval===`ANNUALLY`?`year`:`month`]}),q(`span`,{class:`muted`,children:[F(e.includedCreditsPerSeat),` credits per seat each month`]})]},e.id))})]}),q(`label`,{for:`plan-seats`,children:[`Seats (at least `,c,`: members and pending invitations)`]}),q(`input`,{id:`plan-seats`,type:`number`,min:1,max:1e4,required:!0,value:d,onInput:e=>{f(Math.max(1,Math.floor(Number(e.currentTarget.value))||1)),S()}}),q(`label`,{for:`plan-pay`,children:s?`Pay a charge now with`:`Pay with`}),q(`select`,{id:`plan-pay`,value:x,onChange:e=>{h(e.currentTarget.value),S()},children:[s&&q(`option`,{value:``,children:`The subscription's saved method`}),p.map(e=>q(`option`,{value:e.id,children:[`Saved `,e.brand,` `,e.last4??``,e.isDefault?` (default)`:``]},e.id)),Q.filter(e=>e.number).map(e=>q(`option`,{value:e.number,children:[`Test card `,e.label]},e.number))]}),q(`button`,{type:`submit`,disabled:T||!y,children:g.kind===`quoting`?`Pricing…`:`Show the price`})]}),q(`div`,{"aria-live":`polite`,class:`outcome`,children:[g.kind===`quoted`&&q(Nn,{quote:g.quote,onConfirm:w,onCancel:S}),g.kind===`paying`&&q(`p`,{role:`status`,children:`Applying…`}),g.kind===`action`&&q(`div`,{class:`notice notice-info`,role:`status`,children:q(`p`,{children:[`The bank wants the payment confirmed:`,` `,q(`a`,{href:g.url,target:`_blank`,rel:`noopener`,children:`open the confirm page`}),` `,`(a new tab); this page updates once it is paid.`]})}),g.kind===`done`&&q(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":`plan-changed`,children:q(`p`,{children:g.text})}),g.kind===`failed`&&q(J,{error:g.error})]})]})}var Mn={SUBSCRIBE:`New subscription, charged now`,UPGRADE:`Upgrade, charged now for the rest of the period`,ADD_SEATS:`Added seats, charged now for the rest of the period`,DOWNGRADE:`Downgrade, from the end of the period`,REMOVE_SEATS:`Fewer seats, from the end of the period`,RENEW:`Renewal`,NONE:`No change`};function Nn({quote:e,onConfirm:t,onCancel:n}){return q(`div`,{class:`notice notice-info quote`,"data-testid":`quote`,"data-kind":e.kind,children:[q(`h3`,{id:`quote-h`,children:[Mn[e.kind]??e.kind,`: `,e.plan.name,`, `,e.seats,` `,e.seats===1?`seat`:`seats`]}),e.lines.length>0&&q(`ul`,{class:`list`,children:e.lines.map((e,t)=>q(`li`,{children:[q(`span`,{children:e.description}),q(`span`,{class:`num`,children:L(e.amount)})]},t))}),q(`p`,{children:[e.immediate?q(S,{children:[`Charged now: `,q(`strong`,{"data-testid":`quote-total`,children:L(e.total)}),` (tax `,L(e.tax),`); `,F(e.credits),` credits added once paid.`]}):q(S,{children:[`Nothing charged now; takes effect `,I(e.effectiveAt),`.`]}),` `,`Next renewal: `,L(e.renewal),`.`]}),q(`div`,{class:`row`,children:[q(`button`,{type:`button`,onClick:t,disabled:e.kind===`NONE`,"data-testid":`confirm-change`,children:e.immediate?`Confirm and pay ${L(e.total)}`:`Confirm the change`}),q(`button`,{type:`button`,class:`secondary`,onClick:n,children:`Back`})]})]})}var Pn={SESSIONS:`Sessions`,EVENTS:`Events`,ENRICHMENTS:`Enrichments`,STORAGE_BYTES:`Storage (bytes)`};function Fn({id:e,label:t,value:n,max:r,text:i,level:a}){let o=r>0?Math.min(100,n/r*100):0;return q(`div`,{class:`bar-row`,children:[q(`div`,{class:`bar-label`,children:[q(`span`,{id:`${e}-label`,children:t}),q(`span`,{id:`${e}-text`,class:`muted`,children:i})]}),q(`div`,{class:`bar bar-${(a??`OK`).toLowerCase()}`,role:`progressbar`,"aria-labelledby":`${e}-label`,"aria-describedby":`${e}-text`,"aria-valuemin":0,"aria-valuemax":Math.max(1,r),"aria-valuenow":Math.min(n,Math.max(1,r)),"aria-valuetext":i,"data-testid":`bar-${e}`,children:q(`div`,{class:`bar-fill`,style:{width:`${o}%`}})})]})}function In({usage:e}){let t=new Intl.NumberFormat(`en-US`);return q(Z,{title:`Usage`,id:`usage-h`,children:[q(`p`,{children:[F(e.creditsConsumed),` credits spent `,e.scope===`MEMBER`?`by you`:`by the organization`,` from `,I(e.periodStart),` to`,` `,I(e.periodEnd),`.`]}),e.metrics.length===0?q(X,{children:`No metered usage this period.`}):q(`div`,{class:`bars`,"data-testid":`usage-bars`,children:e.metrics.map(e=>{let n=`usage-${e.metric.toLowerCase()}`,r=e.level===`OK`?``:e.level===`WARNING`?` (near the limit)`:` (over the limit)`;return e.limit==null?q(`div`,{class:`bar-row`,"data-testid":`bar-${n}`,children:q(`div`,{class:`bar-label`,children:[q(`span`,{children:Pn[e.metric]}),q(`span`,{class:`muted`,children:[t.format(e.quantity),` used, no limit`]})]})},e.metric):q(Fn,{id:n,label:Pn[e.metric],value:e.quantity,max:e.limit,level:e.level,text:`${t.format(e.quantity)} of ${t.format(e.limit)} used${r}`},e.metric)})})]})}var Ln=[{number:`4242424242424242`,label:`4242 4242 4242 4242: charges off session`},{number:`4000002760003184`,label:`4000 0027 6000 3184: its bank always wants 3-D Secure`}];function Rn({client:e,orgId:t,methods:n}){let r=K(e,Jt),i=K(e,Yt),a=K(e,Xt),[o,s]=P(Ln[0].number),[c,l]=P(!0),u=n.data?.org?.paymentMethods??[],d=r.error??i.error??a.error,f=r.data?.addPaymentMethod.nextAction;return q(Z,{title:`Payment methods`,id:`pm-h`,children:[n.error?q(J,{error:n.error}):n.loading&&!n.data?q(Y,{what:`payment methods`}):u.length===0?q(X,{children:`No saved payment method. Renewals and auto-recharge charge a saved card.`}):q(`ul`,{class:`list`,"data-testid":`payment-methods`,children:u.map(e=>q(`li`,{children:[q(`span`,{children:[e.brand,` `,e.last4?`•••• ${e.last4}`:``,e.expMonth&&e.expYear?` (expires ${e.expMonth}/${e.expYear})`:``,` `,e.isDefault&&q(`span`,{class:`badge badge-ok`,children:`Default`}),` `,e.status!==`ACTIVE`&&q(`span`,{class:`badge badge-warn`,children:e.status})]}),q(`span`,{class:`row`,children:[!e.isDefault&&e.status===`ACTIVE`&&q(`button`,{type:`button`,class:`secondary`,"aria-label":`Make ${e.brand} ${e.last4??``} the default`,disabled:i.busy,onClick:async()=>await i.run({id:e.id})&&n.reload(),children:`Make default`}),q(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${e.brand} ${e.last4??``}`,disabled:a.busy,onClick:async()=>{confirm(`Remove ${e.brand} ${e.last4??``}?`)&&await a.run({id:e.id})&&n.reload()},children:`Remove`})]})]},e.id))}),q(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await r.run({input:{orgId:t,gateway:`sandbox`,token:o,makeDefault:c,idempotencyKey:crypto.randomUUID()}})&&n.reload()},children:[q(`label`,{for:`pm-card`,children:`Save a test card`}),q(`select`,{id:`pm-card`,value:o,onChange:e=>s(e.currentTarget.value),children:Ln.map(e=>q(`option`,{value:e.number,children:e.label},e.number))}),q(`label`,{class:`check`,children:[q(`input`,{type:`checkbox`,checked:c,onChange:e=>l(e.currentTarget.checked)}),` Make it the default`]}),q(`button`,{type:`submit`,disabled:r.busy,children:r.busy?`Saving…`:`Save card`})]}),f?.kind===`REDIRECT`&&f.redirectUrl&&q(`p`,{role:`status`,children:[`The bank wants the card confirmed:`,` `,q(`a`,{href:f.redirectUrl,target:`_blank`,rel:`noopener`,children:`open the confirm page`}),`, then reload this tab.`]}),d&&q(J,{error:d})]})}function zn({client:e,orgId:t,currency:n,rights:r,saved:i}){let a=G(e,Qt,{orgId:t},t),o=a.data?.org?.autoRecharge;return q(Z,{title:`Auto-recharge`,id:`ar-h`,children:[a.error?.code===`FORBIDDEN`?q(`p`,{class:`muted`,children:`Only the OWNER and BILLING roles see the auto-recharge settings.`}):a.error?q(J,{error:a.error}):a.loading&&!a.data?q(Y,{what:`auto-recharge`}):!o||!o.enabled?q(`p`,{"data-testid":`ar-state`,children:[`Off`,r.canBuy?`: switch it on below to top up with a saved card when the balance drops below a threshold.`:`.`]}):q(`div`,{"data-testid":`ar-state`,children:[q(`p`,{children:[o.paused?q(`span`,{class:`badge badge-warn`,children:[`Paused`,o.pauseReason?`: ${o.pauseReason}`:``]}):q(`span`,{class:`badge badge-ok`,children:`On`}),` Below`,` `,q(`span`,{"data-testid":`ar-threshold`,children:F(o.threshold)}),` credits, buys `,o.quantity,` × `,o.pack?.name??`overage credits`,o.paymentMethod?` with ${o.paymentMethod.brand} ${o.paymentMethod.last4??``}`:``,`.`]}),q(`p`,{children:[`Spent `,L(o.spentThisPeriod),` of `,L(o.spendingLimit),` until `,I(o.periodEnd),`.`]})]}),r.canBuy&&!a.error&&a.data&&q(Bn,{client:e,orgId:t,currency:n,ar:o??void 0,saved:i,onSaved:a.reload},a.data?`loaded`:`loading`)]})}function Bn({client:e,orgId:t,currency:n,ar:r,saved:i,onSaved:a}){let o=G(e,St,{currency:n},n),s=K(e,Zt),[c,l]=P(r?.enabled??!0),[u,d]=P(r?.mode??`PACK`),[f,p]=P(String(r?.threshold??1e6)),[m,h]=P(r?.pack?.id??``),[g,_]=P(r?.quantity??1),[v,y]=P(r?r.spendingLimit.amount:``),[b,x]=P(r?.paymentMethod?.id??``),[C,w]=P(!1),T=(o.data?.packs??[]).filter(e=>!e.custom&&e.price&&e.validity!==`RECURRING`),E=m||T[0]?.id||``,D=i.filter(e=>e.kind===`CARD`&&e.status===`ACTIVE`),O=e=>s.error?.code===`INVALID_INPUT`&&s.error.field?.toLowerCase().endsWith(e.toLowerCase()),ee=async e=>{e.preventDefault(),w(!1);let n=v.trim()===``?void 0:Math.round(Number(v)*100);await s.run({input:{orgId:t,enabled:c,mode:c?u:void 0,threshold:c?Number(f):void 0,packId:c&&u===`PACK`&&E||void 0,quantity:c&&u===`PACK`?g:void 0,spendingLimitMinor:c&&n!==void 0&&!Number.isNaN(n)?n:void 0,paymentMethodId:c&&b||void 0,idempotencyKey:crypto.randomUUID()}})&&(w(!0),a())},k=`ar-error`,A=e=>O(e)?{"aria-invalid":!0,"aria-describedby":k}:{};return q(`form`,{class:`form`,onSubmit:ee,"aria-labelledby":`ar-form-h`,"data-testid":`ar-form`,children:[q(`h3`,{id:`ar-form-h`,children:`Settings`}),q(`label`,{class:`check`,children:[q(`input`,{id:`ar-enabled`,type:`checkbox`,checked:c,onChange:e=>l(e.currentTarget.checked)}),` Top up automatically`]}),q(`fieldset`,{disabled:!c,children:[q(`label`,{for:`ar-threshold`,children:`When the balance drops below (credits)`}),q(`input`,{id:`ar-threshold`,type:`number`,inputMode:`numeric`,value:f,onInput:e=>p(e.currentTarget.value),...A(`threshold`)}),q(`label`,{for:`ar-mode`,children:`Buy`}),q(`select`,{id:`ar-mode`,value:u,onChange:e=>d(e.currentTarget.value),...A(`mode`),children:[q(`option`,{value:`PACK`,children:`A pack`}),q(`option`,{value:`OVERAGE`,children:`Overage credits at the plan's price (paid plans)`})]}),u===`PACK`&&q(S,{children:[q(`label`,{for:`ar-pack`,children:`Pack`}),q(`select`,{id:`ar-pack`,value:E,onChange:e=>h(e.currentTarget.value),...A(`packId`),children:T.map(e=>q(`option`,{value:e.id,children:[e.name,`: `,F(e.credits),` credits, `,L(e.price)]},e.id))}),q(`label`,{for:`ar-qty`,children:`Packs per top-up`}),q(`input`,{id:`ar-qty`,type:`number`,min:1,max:100,value:g,onInput:e=>_(Math.max(1,Number(e.currentTarget.value)||1)),...A(`quantity`)})]}),q(`label`,{for:`ar-limit`,children:[`Spending limit per period (`,n,`, empty for the default)`]}),q(`input`,{id:`ar-limit`,type:`text`,inputMode:`decimal`,value:v,onInput:e=>y(e.currentTarget.value),...A(`spendingLimitMinor`)}),q(`label`,{for:`ar-pm`,children:`Card to charge`}),q(`select`,{id:`ar-pm`,value:b,onChange:e=>x(e.currentTarget.value),...A(`paymentMethodId`),children:[q(`option`,{value:``,children:`The default payment method`}),D.map(e=>q(`option`,{value:e.id,children:[e.brand,` `,e.last4??``,e.isDefault?` (default)`:``]},e.id))]})]}),q(`button`,{type:`submit`,disabled:s.busy,children:s.busy?`Saving…`:`Save auto-recharge`}),q(`div`,{"aria-live":`polite`,children:[C&&!s.error&&q(`p`,{class:`notice notice-ok`,role:`status`,"data-testid":`ar-saved`,children:`Saved.`}),s.error&&q(`div`,{id:k,children:q(J,{error:s.error})})]})]})}function Vn({onToken:e}){let[t,n]=P(``),[r,i]=P(`ada@example.com`),[a,o]=P(``),[s,c]=P(),[l,u]=P(!1);return q(`main`,{id:`main`,class:`signin`,children:[q(`h1`,{children:`Sign in to billing`}),q(`p`,{class:`muted`,children:[`In production the app that embeds this page signs people in with your identity provider. For development, paste a token (`,q(`code`,{children:`tally token --email you@example.com`}),`) or mint one here.`]}),q(`div`,{class:`grid2`,children:[q(`form`,{class:`card`,onSubmit:async t=>{t.preventDefault(),u(!0),c(void 0);try{let t=await _n(r,a);t?e(t):c(`This server does not mint development tokens (it runs in production or with its own TALLY_JWT_SECRET). Paste a token instead.`)}catch(e){c(`Could not mint a token: ${e.message}`)}finally{u(!1)}},"aria-labelledby":`mint-h`,children:[q(`h2`,{id:`mint-h`,children:`Development sign-in`}),q(`label`,{for:`dev-email`,children:`Email`}),q(`input`,{id:`dev-email`,type:`email`,required:!0,value:r,onInput:e=>i(e.currentTarget.value),autocomplete:`email`}),q(`label`,{for:`dev-name`,children:`Name (optional)`}),q(`input`,{id:`dev-name`,value:a,onInput:e=>o(e.currentTarget.value),autocomplete:`name`}),q(`button`,{type:`submit`,disabled:l,children:l?`Signing in…`:`Sign in with a development token`})]}),q(`form`,{class:`card`,"aria-labelledby":`paste-h`,onSubmit:n=>{n.preventDefault(),t.trim()&&e(t.trim().replace(/^bearer\s+/i,``))},children:[q(`h2`,{id:`paste-h`,children:`Paste a token`}),q(`label`,{for:`paste-token`,children:`Token`}),q(`textarea`,{id:`paste-token`,rows:4,required:!0,value:t,onInput:e=>n(e.currentTarget.value),spellcheck:!1}),q(`button`,{type:`submit`,children:`Sign in with this token`})]})]}),s&&q(`div`,{class:`notice notice-error`,role:`alert`,children:s})]})}function Hn({client:e,orgId:t}){let n=K(e,en),[r,i]=P(1e3),[a,o]=P(`billing page test`);return q(Z,{title:`Spend credits`,id:`spend-h`,children:[q(`p`,{class:`muted`,children:`Your product spends credits with consumeCredits; try one here and watch the balance above.`}),q(`form`,{class:`form inline`,onSubmit:e=>{e.preventDefault(),n.run({input:{orgId:t,amount:r,reason:a,idempotencyKey:crypto.randomUUID()}})},children:[q(`label`,{for:`spend-amount`,children:`Credits to spend`}),q(`input`,{id:`spend-amount`,type:`number`,min:1,step:1,required:!0,value:r,onInput:e=>i(Math.max(1,Math.floor(Number(e.currentTarget.value)||1)))}),q(`label`,{for:`spend-reason`,children:`Reason`}),q(`input`,{id:`spend-reason`,maxLength:200,value:a,onInput:e=>o(e.currentTarget.value)}),q(`button`,{type:`submit`,disabled:n.busy,children:`Spend`})]}),n.error&&q(J,{error:n.error}),n.data&&!n.error&&q(`p`,{role:`status`,children:[`Spent `,F(n.data.consumeCredits.entry.amount<0?-n.data.consumeCredits.entry.amount:n.data.consumeCredits.entry.amount),` credits;`,` `,F(n.data.consumeCredits.entry.balanceAfter),` left.`]})]})}var $=[{id:`balance`,label:`Balance`},{id:`buy`,label:`Buy credits`},{id:`orders`,label:`Orders & invoices`},{id:`members`,label:`Members`},{id:`keys`,label:`API keys`},{id:`plan`,label:`Plan & usage`}];function Un(){let e=location.hash.replace(/^#/,``);return $.find(t=>t.id===e)?.id??`balance`}function Wn(e){return{role:e,canBuy:e===`OWNER`||e===`BILLING`,canManage:e===`OWNER`||e===`ADMIN`}}function Gn(){let[e,t]=P(fn()),n=Oe(()=>e?gn(e):void 0,[e]);return Ee(()=>()=>n?.dispose(),[n]),n?q(Kn,{client:n,signOut:()=>{pn(void 0),hn(void 0),t(void 0)}}):q(Vn,{onToken:e=>{pn(e),t(e)}})}function Kn({client:e,signOut:t}){let n=G(e,vt,{},`viewer`),[r,i]=P(mn());if(n.loading&&!n.data)return q(qn,{signOut:t,children:q(Y,{what:`your account`})});if(n.error)return q(qn,{signOut:t,children:[q(J,{error:n.error}),q(`button`,{type:`button`,onClick:t,children:`Sign in again`})]});let a=n.data.viewer,o=a.memberships.find(e=>e.org.id===r)??a.memberships[0],s=e=>{hn(e),i(e)};return q(qn,{signOut:t,user:a.user,children:[a.memberships.length>0&&q(`div`,{class:`orgbar`,children:[q(`label`,{for:`org-select`,children:`Organization`}),q(`select`,{id:`org-select`,value:o?.org.id,onChange:e=>s(e.currentTarget.value),children:a.memberships.map(e=>q(`option`,{value:e.org.id,children:[e.org.name,` (`,e.role,`)`]},e.org.id))})]}),o?q(Jn,{client:e,membership:o},o.org.id):q(wn,{client:e,onCreated:e=>{s(e),n.reload()}})]})}function qn({children:e,signOut:t,user:n}){return q(S,{children:[q(`header`,{class:`topbar`,children:[q(`a`,{class:`skip`,href:`#main`,children:`Skip to content`}),q(`span`,{class:`brand`,children:`Tally billing`}),n&&q(`span`,{class:`who`,children:n.name||n.email}),q(`button`,{type:`button`,class:`link`,onClick:t,children:`Sign out`})]}),q(`main`,{id:`main`,children:e})]})}function Jn({client:e,membership:t}){let n=t.org.id,r=Wn(t.role),[i,a]=P(Un());Ee(()=>{let e=()=>a(Un());return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]);let o=G(e,bt,{orgId:n},n),[s,c]=P({connected:!1});Ee(()=>{c({connected:!1});let t=e.onSocket(e=>c(t=>({...t,connected:e===`connected`}))),r=e.subscribe(xt,{orgId:n},{next:e=>{let t=e.balanceUpdated.entry;c({balance:e.balanceUpdated.balance,connected:!0,last:t?`${t.kind} ${F(t.amount)}${t.reason?` (${t.reason})`:``}`:void 0})},error:()=>c(e=>({...e,connected:!1}))});return()=>{r(),t()}},[e,n]);let l=o.data?.org?.balance,u=s.balance&&(!l||s.balance.updatedAt>=l.updatedAt)?s.balance:l,d=o.data?.org,f=e=>{history.replaceState(null,``,`#${e}`),a(e)},p=(e,t)=>{let n=-1;e.key===`ArrowRight`&&(n=(t+1)%$.length),e.key===`ArrowLeft`&&(n=(t-1+$.length)%$.length),e.key===`Home`&&(n=0),e.key===`End`&&(n=$.length-1),n>=0&&(e.preventDefault(),f($[n].id),document.getElementById(`tab-${$[n].id}`)?.focus())};return q(S,{children:[q(`div`,{class:`orghead`,children:[q(`h1`,{children:t.org.name}),q(`p`,{class:`muted`,children:[`Your role: `,q(`strong`,{"data-testid":`role`,children:t.role}),` · `,t.org.country,` · `,t.org.currency,d&&d.status!==`ACTIVE`&&q(S,{children:[` `,`· `,q(`span`,{class:`badge badge-warn`,children:d.status})]})]}),u&&q(`p`,{class:`total`,"aria-live":`polite`,"data-testid":`balance-card`,"data-live":s.connected?`subscribed`:`connecting`,children:[`Balance: `,q(`strong`,{"data-testid":`balance-total`,children:F(u.total)}),` credits`]})]}),q(`div`,{role:`tablist`,"aria-label":`Billing sections`,class:`tabs`,children:$.map((e,t)=>q(`button`,{id:`tab-${e.id}`,role:`tab`,type:`button`,"aria-selected":i===e.id,"aria-controls":i===e.id?`panel-${e.id}`:void 0,tabIndex:i===e.id?0:-1,onClick:()=>f(e.id),onKeyDown:e=>p(e,t),children:e.label},e.id))}),q(`div`,{role:`tabpanel`,id:`panel-${i}`,"aria-labelledby":`tab-${i}`,tabIndex:0,class:`panel`,children:[i===`balance`&&(o.error?q(J,{error:o.error}):u?q(S,{children:[q(on,{balance:u,live:s.connected,last:s.last}),q(Hn,{client:e,orgId:n})]}):q(Y,{what:`the balance`})),i===`buy`&&d&&q(S,{children:[q(vn,{client:e,orgId:n,currency:d.currency,rights:r}),q(bn,{client:e,orgId:n,currency:d.currency,rights:r})]}),i===`buy`&&!d&&(o.error?q(J,{error:o.error}):q(Y,{what:`the organization`})),i===`orders`&&q(Dn,{client:e,orgId:n,rights:r}),i===`members`&&q(Sn,{client:e,orgId:n,rights:r}),i===`keys`&&q(nn,{client:e,orgId:n,rights:r}),i===`plan`&&q(kn,{client:e,orgId:n,currency:t.org.currency,rights:r})]})]})}fe(q(Gn,{}),document.getElementById(`app`));