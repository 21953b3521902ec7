var e,t,n,r,i,a,o,s,c,l,u,d,f,p,m={},h=[],g=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,_=Array.isArray;function v(e,t){for(var n in t)e[n]=t[n];return e}function y(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function b(t,n,r){var i,a,o,s={};for(o in n)o==`key`?i=n[o]:o==`ref`?a=n[o]:s[o]=n[o];if(arguments.length>2&&(s.children=arguments.length>3?e.call(arguments,2):r),typeof t==`function`&&t.defaultProps!=null)for(o in t.defaultProps)s[o]===void 0&&(s[o]=t.defaultProps[o]);return x(t,s,i,a,null)}function x(e,r,i,a,o){var s={type:e,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:o??++n,__i:-1,__u:0};return o==null&&t.vnode!=null&&t.vnode(s),s}function S(e){return e.children}function C(e,t){this.props=e,this.context=t}function w(e,t){if(t==null)return e.__?w(e.__,e.__i+1):null;for(var n;t<e.__k.length;t++)if((n=e.__k[t])!=null&&n.__e!=null)return n.__e;return typeof e.type==`function`?w(e):null}function T(e){if(e.__P&&e.__d){var n=e.__v,r=n.__e,i=[],a=[],o=v({},n);o.__v=n.__v+1,t.vnode&&t.vnode(o),ne(e.__P,o,n,e.__n,e.__P.namespaceURI,32&n.__u?[r]:null,i,r??w(n),!!(32&n.__u),a),o.__v=n.__v,o.__.__k[o.__i]=o,ie(i,o,a),n.__e=n.__=null,o.__e!=r&&E(o)}}function E(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),E(e)}function D(e){(!e.__d&&(e.__d=!0)&&r.push(e)&&!O.__r++||i!=t.debounceRendering)&&((i=t.debounceRendering)||a)(O)}function O(){try{for(var e,t=1;r.length;)r.length>t&&r.sort(o),e=r.shift(),t=r.length,T(e)}finally{r.length=O.__r=0}}function ee(e,t,n,r,i,a,o,s,c,l,u){var d,f,p,g,_,v,y=r&&r.__k||h,b=t.length;for(c=k(n,t,y,c,b),d=0;d<b;d++)(p=n.__k[d])!=null&&(f=p.__i!=-1&&y[p.__i]||m,p.__i=d,v=ne(e,p,f,i,a,o,s,c,l,u),g=p.__e,p.ref&&f.ref!=p.ref&&(f.ref&&se(f.ref,null,p),u.push(p.ref,p.__c||g,p)),_==null&&g!=null&&(_=g),4&p.__u?(c=A(p,c,e),f.__e&&(f.__e=null)):typeof p.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),p.__u&=-7);return n.__e=_,c}function k(e,t,n,r,i){var a,o,s,c,l,u=n.length,d=u,f=0;for(e.__k=Array(i),a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o==`string`||typeof o==`number`||typeof o==`bigint`||o.constructor==String?o=e.__k[a]=x(null,o,null,null,null):_(o)?o=e.__k[a]=x(S,{children:o},null,null,null):o.constructor===void 0&&o.__b>0?o=e.__k[a]=x(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):e.__k[a]=o,c=a+f,o.__=e,o.__b=e.__b+1,s=null,(l=o.__i=te(o,n,c,d))!=-1&&(d--,(s=n[l])&&(s.__u|=2)),s==null||s.__v==null?(l==-1&&(i>u?f--:i<u&&f++),typeof o.type!=`function`&&(o.__u|=4)):l!=c&&(l==c-1?f--:l==c+1?f++:(l>c?f--:f++,o.__u|=4))):e.__k[a]=null;if(d)for(a=0;a<u;a++)(s=n[a])!=null&&!(2&s.__u)&&(s.__e==r&&(r=w(s)),ce(s,s));return r}function A(e,t,n){var r,i;if(typeof e.type==`function`){for(r=e.__k,i=0;r&&i<r.length;i++)r[i]&&(r[i].__=e,t=A(r[i],t,n));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=w(e)),t=n.insertBefore(e.__e,t||null));do t&&=t.nextSibling;while(t!=null&&t.nodeType==8);return t}function te(e,t,n,r){var i,a,o,s=e.key,c=e.type,l=t[n],u=l!=null&&!(2&l.__u);if(l===null&&s==null||u&&s==l.key&&c==l.type)return n;if(r>+!!u){for(i=n-1,a=n+1;i>=0||a<t.length;)if((l=t[o=i>=0?i--:a++])!=null&&!(2&l.__u)&&s==l.key&&c==l.type)return o}return-1}function j(e,t,n){t[0]==`-`?e.setProperty(t,n??``):e[t]=n==null?``:typeof n!=`number`||g.test(t)?n:n+`px`}function M(e,t,n,r,i){var a,o;e:if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||j(e.style,t,``);if(n)for(t in n)r&&n[t]==r[t]||j(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)a=t!=(t=t.replace(u,`$1`)),o=t.toLowerCase(),t=o in e||t==`onFocusOut`||t==`onFocusIn`?o.slice(2):t.slice(2),e.l||={},e.l[t+a]=n,n?r?n[l]=r[l]:(n[l]=d,e.addEventListener(t,a?p:f,a)):e.removeEventListener(t,a?p:f,a);else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;break e}catch{}typeof n==`function`||(n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n))}}function N(e){return function(n){if(this.l){var r=this.l[n.type+e];if(n[c]==null)n[c]=d++;else if(n[c]<r[l])return;return r(t.event?t.event(n):n)}}}function ne(e,n,r,i,a,o,s,c,l,u){var d,f,p,m,g,b,x,T,E,D,O,k,A,te,j,M,N=n.type;if(n.constructor!==void 0)return null;128&r.__u&&(l=!!(32&r.__u),o=[c=n.__e=r.__e]),(d=t.__b)&&d(n);e:if(typeof N==`function`){f=s.length;try{if(E=n.props,D=N.prototype&&N.prototype.render,O=(d=N.contextType)&&i[d.__c],k=d?O?O.props.value:d.__:i,r.__c?T=(p=n.__c=r.__c).__=p.__E:(D?n.__c=p=new N(E,k):(n.__c=p=new C(E,k),p.constructor=N,p.render=le),O&&O.sub(p),p.state||(p.state={}),p.__n=i,m=p.__d=!0,p.__h=[],p._sb=[]),D&&p.__s==null&&(p.__s=p.state),D&&N.getDerivedStateFromProps!=null&&(p.__s==p.state&&(p.__s=v({},p.__s)),v(p.__s,N.getDerivedStateFromProps(E,p.__s))),g=p.props,b=p.state,p.__v=n,m)D&&N.getDerivedStateFromProps==null&&p.componentWillMount!=null&&p.componentWillMount(),D&&p.componentDidMount!=null&&p.__h.push(p.componentDidMount);else{if(D&&N.getDerivedStateFromProps==null&&E!==g&&p.componentWillReceiveProps!=null&&p.componentWillReceiveProps(E,k),n.__v==r.__v||!p.__e&&p.shouldComponentUpdate!=null&&!1===p.shouldComponentUpdate(E,p.__s,k)){n.__v!=r.__v&&(p.props=E,p.state=p.__s,p.__d=!1),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),h.push.apply(p.__h,p._sb),p._sb=[],p.__h.length&&s.push(p),c=w(r);break e}p.componentWillUpdate!=null&&p.componentWillUpdate(E,p.__s,k),D&&p.componentDidUpdate!=null&&p.__h.push(function(){p.componentDidUpdate(g,b,x)})}if(p.context=k,p.props=E,p.__P=e,p.__e=!1,A=t.__r,te=0,D)p.state=p.__s,p.__d=!1,A&&A(n),d=p.render(p.props,p.state,p.context),h.push.apply(p.__h,p._sb),p._sb=[];else do p.__d=!1,A&&A(n),d=p.render(p.props,p.state,p.context),p.state=p.__s;while(p.__d&&++te<25);p.state=p.__s,p.getChildContext!=null&&(i=v(v({},i),p.getChildContext())),D&&!m&&p.getSnapshotBeforeUpdate!=null&&(x=p.getSnapshotBeforeUpdate(g,b)),j=d!=null&&d.type===S&&d.key==null?ae(d.props.children):d,c=ee(e,_(j)?j:[j],n,r,i,a,o,s,c,l,u),p.base=n.__e,n.__u&=-161,p.__h.length&&s.push(p),T&&(p.__E=p.__=null)}catch(e){if(s.length=f,n.__v=null,l||o!=null){if(e.then){for(n.__u|=l?160:128;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;o!=null&&(o[o.indexOf(c)]=null),n.__e=c}else if(o!=null)for(M=o.length;M--;)y(o[M])}else n.__e=r.__e;n.__k??=r.__k||[],e.then||re(n),t.__e(e,n,r)}}else o==null&&n.__v==r.__v?(n.__k=r.__k,n.__e=r.__e):c=n.__e=oe(r.__e,n,r,i,a,o,s,l,u);return(d=t.diffed)&&d(n),128&n.__u?void 0:c}function re(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(re))}function ie(e,n,r){for(var i=0;i<r.length;i++)se(r[i],r[++i],r[++i]);t.__c&&t.__c(n,e),e.some(function(n){try{e=n.__h,n.__h=[],e.some(function(e){e.call(n)})}catch(e){t.__e(e,n.__v)}})}function ae(e){return typeof e!=`object`||!e||e.__b>0?e:_(e)?e.map(ae):e.constructor===void 0?v({},e):null}function oe(n,r,i,a,o,s,c,l,u){var d,f,p,h,g,v,b,x=i.props||m,S=r.props,C=r.type;if(C==`svg`?o=`http://www.w3.org/2000/svg`:C==`math`?o=`http://www.w3.org/1998/Math/MathML`:o||=`http://www.w3.org/1999/xhtml`,s!=null){for(d=0;d<s.length;d++)if((g=s[d])&&`setAttribute`in g==!!C&&(C?g.localName==C:g.nodeType==3)){n=g,s[d]=null;break}}if(n==null){if(C==null)return document.createTextNode(S);n=document.createElementNS(o,C,S.is&&S),l&&=(t.__m&&t.__m(r,s),!1),s=null}if(C==null)x===S||l&&n.data==S||(n.data=S);else{if(s=C==`textarea`&&S.defaultValue!=null?null:s&&e.call(n.childNodes),!l&&s!=null)for(x={},d=0;d<n.attributes.length;d++)x[(g=n.attributes[d]).name]=g.value;for(d in x)g=x[d],d==`dangerouslySetInnerHTML`?p=g:d==`children`||d in S||d==`value`&&`defaultValue`in S||d==`checked`&&`defaultChecked`in S||M(n,d,null,g,o);for(d in S)g=S[d],d==`children`?h=g:d==`dangerouslySetInnerHTML`?f=g:d==`value`?v=g:d==`checked`?b=g:l&&typeof g!=`function`||x[d]===g||M(n,d,g,x[d],o);if(f)l||p&&(f.__html==p.__html||f.__html==n.innerHTML)||(n.innerHTML=f.__html),r.__k=[];else if(p&&(n.innerHTML=``),ee(r.type==`template`?n.content:n,_(h)?h:[h],r,i,a,C==`foreignObject`?`http://www.w3.org/1999/xhtml`:o,s,c,s?s[0]:i.__k&&w(i,0),l,u),s!=null)for(d=s.length;d--;)y(s[d]);l&&C!=`textarea`||(d=`value`,C==`progress`&&v==null?n.removeAttribute(`value`):v!=null&&(v!==n[d]||C==`progress`&&!v||C==`option`&&v!=x[d])&&M(n,d,v,x[d],o),d=`checked`,b!=null&&b!=n[d]&&M(n,d,b,x[d],o))}return n}function se(e,n,r){try{if(typeof e==`function`){var i=typeof e.__u==`function`;i&&e.__u(),i&&n==null||(e.__u=e(n))}else e.current=n}catch(e){t.__e(e,r)}}function ce(e,n,r){var i,a;if(t.unmount&&t.unmount(e),(i=e.ref)&&(i.current&&i.current!=e.__e||se(i,null,n)),(i=e.__c)!=null){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(e){t.__e(e,n)}i.base=i.__P=i.__n=null}if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&ce(i[a],n,r||typeof e.type!=`function`);r||y(e.__e),e.__c=e.__=e.__e=void 0}function le(e,t,n){return this.constructor(e,n)}function ue(n,r,i){var a,o,s,c;r==document&&(r=document.documentElement),t.__&&t.__(n,r),o=(a=typeof i==`function`)?null:i&&i.__k||r.__k,s=[],c=[],ne(r,n=(!a&&i||r).__k=b(S,null,[n]),o||m,m,r.namespaceURI,!a&&i?[i]:o?null:r.firstChild?e.call(r.childNodes):null,s,!a&&i?i:o?o.__e:r.firstChild,a,c),ie(s,n,c),n.props.children=null}e=h.slice,t={__e:function(e,t,n,r){for(var i,a,o;t=t.__;)if((i=t.__c)&&!i.__)try{if((a=i.constructor)&&a.getDerivedStateFromError!=null&&(i.setState(a.getDerivedStateFromError(e)),o=i.__d),i.componentDidCatch!=null&&(i.componentDidCatch(e,r||{}),o=i.__d),o)return i.__E=i}catch(t){e=t}throw e}},n=0,C.prototype.setState=function(e,t){var n=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=v({},this.state);typeof e==`function`&&(e=e(v({},n),this.props)),e&&v(n,e),e!=null&&this.__v&&(t&&this._sb.push(t),D(this))},C.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),D(this))},C.prototype.render=S,r=[],a=typeof Promise==`function`?Promise.prototype.then.bind(Promise.resolve()):setTimeout,o=function(e,t){return e.__v.__b-t.__v.__b},O.__r=0,s=Math.random().toString(8),c=`__d`+s,l=`__a`+s,u=/(PointerCapture)$|Capture$/i,d=0,f=N(!1),p=N(!0);var de,P,fe,pe,me=0,he=[],F=t,ge=F.__b,_e=F.__r,ve=F.diffed,ye=F.__c,be=F.unmount,xe=F.__;function Se(e,t){F.__h&&F.__h(P,e,me||t),me=0;var n=P.__H||(P.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function I(e){return me=1,Ce(Pe,e)}function Ce(e,t,n){var r=Se(de++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Pe(void 0,t),function(e){var t=r.__N?r.__N[0]:r.__[0],n=r.t(t,e);t!==n&&(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=P,!P.__f)){var i=function(e,t,n){if(!r.__c.__H)return!0;var i=!1,o=r.__c.props!==e;if(r.__c.__H.__.some(function(e){if(e.__N){i=!0;var t=e.__[0];e.__=e.__N,e.__N=void 0,t!==e.__[0]&&(o=!0)}}),a){var s=a.call(this,e,t,n);return i?s||o:s}return!i||o};P.__f=!0;var a=P.shouldComponentUpdate,o=P.componentWillUpdate;P.componentWillUpdate=function(e,t,n){if(this.__e){var r=a;a=void 0,i(e,t,n),a=r}o&&o.call(this,e,t,n)},P.shouldComponentUpdate=i}return r.__N||r.__}function we(e,t){var n=Se(de++,3);!F.__s&&Ne(n.__H,t)&&(n.__=e,n.u=t,P.__H.__h.push(n))}function Te(e){return me=5,Ee(function(){return{current:e}},[])}function Ee(e,t){var n=Se(de++,7);return Ne(n.__H,t)&&(n.__=e(),n.__H=t,n.__h=e),n.__}function De(e,t){return me=8,Ee(function(){return e},t)}function Oe(){for(var e;e=he.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(je),t.__h.some(Me),t.__h=[]}catch(n){t.__h=[],F.__e(n,e.__v)}}}F.__b=function(e){P=null,ge&&ge(e)},F.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),xe&&xe(e,t)},F.__r=function(e){_e&&_e(e),de=0;var t=(P=e.__c).__H;t&&(fe===P?(t.__h=[],P.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})):(t.__h.some(je),t.__h.some(Me),t.__h=[],de=0)),fe=P},F.diffed=function(e){ve&&ve(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(he.push(t)!==1&&pe===F.requestAnimationFrame||((pe=F.requestAnimationFrame)||Ae)(Oe)),t.__H.__.some(function(e){e.u&&=(e.__H=e.u,void 0)})),fe=P=null},F.__c=function(e,t){t.some(function(e){try{e.__h.some(je),e.__h=e.__h.filter(function(e){return!e.__||Me(e)})}catch(n){t.some(function(e){e.__h&&=[]}),t=[],F.__e(n,e.__v)}}),ye&&ye(e,t)},F.unmount=function(e){be&&be(e);var t,n=e.__c;n&&n.__H&&(n.__H.__.some(function(e){try{je(e)}catch(e){t=e}}),n.__H=void 0,t&&F.__e(t,n.__v))};var ke=typeof requestAnimationFrame==`function`;function Ae(e){var t,n=function(){clearTimeout(r),ke&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);ke&&(t=requestAnimationFrame(n))}function je(e){var t=P,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),P=t}function Me(e){var t=P;e.__c=e.__(),P=t}function Ne(e,t){return!e||e.length!==t.length||t.some(function(t,n){return t!==e[n]})}function Pe(e,t){return typeof t==`function`?t(e):t}var Fe=new Intl.NumberFormat(`en-US`);function L(e){return Fe.format(e)}function R(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toLocaleDateString(`en-GB`,{year:`numeric`,month:`short`,day:`numeric`})}function Ie(e){return e?`${e.amount} ${e.currency}`:`—`}var Le={UNAUTHENTICATED:`Your sign-in is missing or has expired. Sign in again.`,FORBIDDEN:`Your role in this organization does not allow this.`,NOT_FOUND:`Not found, or you are not a member of this organization.`,INVALID_INPUT:`Something in the form is not valid.`,INSUFFICIENT_CREDITS:`The organization does not have enough credits for this.`,ORG_SUSPENDED:`This organization is suspended: reading works, spending does not.`,CONFLICT:`This was changed at the same time by someone else, or repeated with different details. Reload and try again.`,PAYMENT_FAILED:`The payment did not go through.`,GATEWAY_UNAVAILABLE:`The payment provider could not be reached. Try again in a moment.`,RATE_LIMITED:`Too many requests. Wait a moment and try again.`,USAGE_LIMIT_EXCEEDED:`The plan's usage limit is reached.`,UNAVAILABLE:`The service is briefly unavailable. Try again in a moment.`,INTERNAL:`Something went wrong on the server.`};function z(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function B(e){return z(e)===`object`}function Re(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function ze(e,t){return e.length<124?e:t}var V=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(V||{}),H=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(H||{});function Be(e){if(!B(e))throw Error(`Message is expected to be an object, but got ${z(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${z(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!B(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!B(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${z(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${z(e.payload.query)}`);if(e.payload.variables!=null&&!B(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${z(e.payload.variables)}`);if(e.payload.operationName!=null&&z(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${z(e.payload.operationName)}`);if(e.payload.extensions!=null&&!B(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${z(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!B(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${z(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Re(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function Ve(e,t){return Be(typeof e==`string`?JSON.parse(e,t):e)}function He(e,t){return Be(e),JSON.stringify(e,t)}function Ue(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=Ge,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!qe(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function D(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(He({type:H.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof We&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(He(e?{type:H.ConnectionInit,payload:e}:{type:H.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(V.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(V.InternalClientError,ze(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=Ve(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(He(n.payload?{type:H.Pong,payload:n.payload}:{type:H.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==H.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(V.BadResponse,ze(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function O(e){if(Ge(e)&&(Ke(e.code)||[V.InternalServerError,V.InternalClientError,V.BadRequest,V.BadResponse,V.Unauthorized,V.SubprotocolNotAcceptable,V.SubscriberAlreadyExists,V.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(Ge(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await D();await e}catch(e){try{if(!O(e))return}catch(e){return i?.(e)}}})();function ee(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await D();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case H.Next:t.next(e.payload);return;case H.Error:i=!0,r=!0,t.error(e.payload),a();return;case H.Complete:r=!0,a();return}});o.send(He({id:n,type:H.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(He({id:n,type:H.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!O(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:ee,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=ee(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new We)}}}var We=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function Ge(e){return B(e)&&`code`in e&&`reason`in e}function Ke(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function qe(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}var Je=[`UNAUTHENTICATED`,`FORBIDDEN`,`NOT_FOUND`,`INVALID_INPUT`,`INSUFFICIENT_CREDITS`,`ORG_SUSPENDED`,`CONFLICT`,`PAYMENT_FAILED`,`GATEWAY_UNAVAILABLE`,`RATE_LIMITED`,`USAGE_LIMIT_EXCEEDED`,`UNAVAILABLE`,`INTERNAL`];function Ye(e){return typeof e==`string`&&Je.includes(e)}var U=class extends Error{code;field;retryAfter;status;errors;constructor(e){super(e.message,e.cause===void 0?void 0:{cause:e.cause}),this.name=`TallyError`,this.code=e.code,this.field=e.field,this.retryAfter=e.retryAfter,this.status=e.status,this.errors=e.errors??[]}get retryable(){return this.code===`RATE_LIMITED`||this.code===`UNAVAILABLE`||this.code===`GATEWAY_UNAVAILABLE`}};function Xe(e,t={}){let n=e[0]??{message:`the server answered with an empty error list`},r=n.extensions??{},i=Ye(r.code)?r.code:`INTERNAL`,a=Ze(r.retryAfter);return a===void 0&&t.retryAfterHeader&&(a=Ze(t.retryAfterHeader)),new U({code:i,message:n.message,field:typeof r.field==`string`?r.field:void 0,retryAfter:a,status:t.status,errors:[...e]})}function Ze(e){if(typeof e==`number`&&Number.isFinite(e)&&e>=0)return e;if(typeof e==`string`&&/^\d+(\.\d+)?$/.test(e.trim()))return Number(e)}function Qe(e){switch(e){case 4400:return`INVALID_INPUT`;case 4401:return`UNAUTHENTICATED`;case 4403:return`FORBIDDEN`;case 4429:return`RATE_LIMITED`;default:return}}function W(e){if(e instanceof U)return e;if(Array.isArray(e)&&e.length>0&&typeof e[0]?.message==`string`)return Xe(e);if(e&&typeof e==`object`&&typeof e.code==`number`){let t=e;return new U({code:Qe(t.code)??`UNAVAILABLE`,message:t.reason||`the websocket closed (${t.code})`,cause:e})}return new U({code:`INTERNAL`,message:e instanceof Error?e.message:String(e),cause:e})}function $e(e){let t=e?.trim();if(t)return/^bearer\s/i.test(t)?t:`Bearer ${t}`}function et(e){return typeof e==`function`?e():e}function tt(e,t){let n=new URL(e,t??(typeof location<`u`?location.href:void 0));return n.protocol=n.protocol===`https:`?`wss:`:`ws:`,n.toString()}function nt(e){let t,n={...e},r=()=>(t||=Ue({url:n.wsUrl??tt(n.url),webSocketImpl:n.webSocketImpl,lazy:!0,connectionParams:()=>{let e=$e(et(n.token));return e?{authorization:e}:{}},shouldRetry:e=>{let t=e?.code;return!(typeof t==`number`&&t>=4400&&t<4500)},retryAttempts:5}),t);return{options:n,async request(e,t,r){let i=n.fetch??globalThis.fetch,a={"Content-Type":`application/json`,Accept:`application/json`},o=$e(et(n.token));o&&(a.Authorization=o);let s;try{s=await i(n.url,{method:`POST`,headers:a,body:JSON.stringify({query:e.toString(),variables:t??{}}),signal:r?.signal})}catch(e){throw e?.name===`AbortError`?e:new U({code:`UNAVAILABLE`,message:`could not reach the server`,cause:e})}let c;try{c=await s.json()}catch(e){throw new U({code:s.status===429?`RATE_LIMITED`:s.status>=500?`UNAVAILABLE`:`INTERNAL`,message:`the server answered ${s.status} without a GraphQL body`,status:s.status,retryAfter:rt(s),cause:e})}if(c?.errors&&c.errors.length>0)throw Xe(c.errors,{status:s.status,retryAfterHeader:s.headers.get(`Retry-After`)});if(!s.ok||c?.data==null)throw new U({code:`INTERNAL`,message:`the server answered ${s.status} without data`,status:s.status});return c.data},subscribe(e,t,n){return r().subscribe({query:e.toString(),variables:t},{next:e=>{e.errors&&e.errors.length>0?n.error?.(Xe(e.errors)):e.data!=null&&n.next(e.data)},error:e=>n.error?.(W(e)),complete:()=>n.complete?.()})},onSocket(e){let t=r(),n=[t.on(`connected`,()=>e(`connected`)),t.on(`closed`,()=>e(`closed`))];return()=>n.forEach(e=>e())},withToken(e){return nt({...n,token:e})},dispose(){t?.dispose(),t=void 0}}}function rt(e){let t=e.headers.get(`Retry-After`);return t&&/^\d+$/.test(t)?Number(t):void 0}async function it(e,t={}){if(!e||e.kind===`NONE`)return{kind:`none`};switch(e.kind){case`REDIRECT`:{let n=e.redirectUrl;if(!n)throw new U({code:`INVALID_INPUT`,message:`the next action is a redirect without a URL`});return(t.navigate??(e=>window.location.assign(e)))(n),{kind:`redirected`,url:n}}case`CONFIRM`:{let n=e.clientSecret;if(!n)throw new U({code:`INVALID_INPUT`,message:`the next action is a confirmation without a client secret`});if(!t.confirm)throw new U({code:`INVALID_INPUT`,message:`this payment must be confirmed with the gateway's script (Stripe.js): pass confirm to resumeCheckout`});return await t.confirm(n),{kind:`confirmed`}}}throw new U({code:`INVALID_INPUT`,message:`unknown next action ${String(e.kind)}`})}var G=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},at=new G(`
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
    `,{fragmentName:`BalanceFields`}),ot={"\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingCreateOrg($input: CreateOrgInput!) {\n    createOrg(input: $input) { org { id name currency country status } }\n  }\n":new G(`
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
    `),"\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n":at,"\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n":new G(`
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
}`),"\n  subscription BillingBalanceUpdated($orgId: ID!) {\n    balanceUpdated(orgId: $orgId) {\n      balance { ...BalanceFields }\n      entry { id kind amount reason }\n    }\n  }\n":new G(`
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
}`),"\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingPurchase($input: PurchasePackInput!) {\n    purchasePack(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n":new G(`
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
    `),"\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } } }\n      }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingCancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { id status }\n  }\n":new G(`
    mutation BillingCancelOrder($id: ID!) {
  cancelOrder(orderId: $id) {
    id
    status
  }
}
    `),"\n  query BillingMembers($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      members(first: 100) { edges { node { role createdAt user { id email name } } } }\n    }\n  }\n":new G(`
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
    `),"\n  query BillingInvitations($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      invitations { id email role expiresAt acceptedAt revokedAt }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {\n    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }\n  }\n":new G(`
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
    `),"\n  mutation BillingRevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) { invitation { id revokedAt } }\n  }\n":new G(`
    mutation BillingRevokeInvitation($id: ID!) {
  revokeInvitation(id: $id) {
    invitation {
      id
      revokedAt
    }
  }
}
    `),"\n  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {\n    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }\n  }\n":new G(`
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
    `),"\n  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {\n    removeMember(orgId: $orgId, userId: $userId) { userId }\n  }\n":new G(`
    mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
  removeMember(orgId: $orgId, userId: $userId) {
    userId
  }
}
    `),"\n  query BillingApiKeys($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {\n    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }\n  }\n":new G(`
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
    `),"\n  mutation BillingRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { apiKey { id revokedAt } }\n  }\n":new G(`
    mutation BillingRevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    apiKey {
      id
      revokedAt
    }
  }
}
    `),"\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed }\n      subscription {\n        id\n        status\n        seats\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n":new G(`
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
    }
    subscription {
      id
      status
      seats
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
    `),"\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { name }\n        paymentMethod { brand last4 }\n      }\n    }\n  }\n":new G(`
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
        name
      }
      paymentMethod {
        brand
        last4
      }
    }
  }
}
    `),"\n  mutation BillingAcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) { membership { role org { id name } } }\n  }\n":new G(`
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
    `),"\n  mutation BillingSpend($input: ConsumeCreditsInput!) {\n    consumeCredits(input: $input) { entry { id amount balanceAfter } }\n  }\n":new G(`
    mutation BillingSpend($input: ConsumeCreditsInput!) {
  consumeCredits(input: $input) {
    entry {
      id
      amount
      balanceAfter
    }
  }
}
    `),"\n  query WatchOrder($id: ID!) {\n    order(id: $id) {\n      id\n      number\n      status\n      failureReason\n      credits\n      total { amount currency }\n      invoice { id number pdfUrl }\n    }\n  }\n":new G(`
    query WatchOrder($id: ID!) {
  order(id: $id) {
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
}
    `),"\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) {\n      id\n      number\n      status\n      failureReason\n      credits\n      total { amount currency }\n      invoice { id number pdfUrl }\n    }\n  }\n":new G(`
    subscription WatchOrderUpdates($orgId: ID!) {
  orderUpdated(orgId: $orgId) {
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
}
    `)};function K(e){return ot[e]??{}}var st=K(`
  query WatchOrder($id: ID!) {
    order(id: $id) {
      id
      number
      status
      failureReason
      credits
      total { amount currency }
      invoice { id number pdfUrl }
    }
  }
`),ct=K(`
  subscription WatchOrderUpdates($orgId: ID!) {
    orderUpdated(orgId: $orgId) {
      id
      number
      status
      failureReason
      credits
      total { amount currency }
      invoice { id number pdfUrl }
    }
  }
`),lt=[`PAID`,`PARTIALLY_REFUNDED`,`REFUNDED`],ut=[`FAILED`,`CANCELED`],dt=class extends U{order;constructor(e){super({code:`PAYMENT_FAILED`,message:e.status===`CANCELED`?`order ${e.number} was canceled`:`order ${e.number} failed${e.failureReason?`: ${e.failureReason}`:``}`}),this.name=`OrderNotPaidError`,this.order=e}};function ft(e,t){return new Promise((n,r)=>{let i=!1,a,o,s=e=>{i||(i=!0,o?.(),a!==void 0&&clearInterval(a),t.signal?.removeEventListener(`abort`,c),e())},c=()=>s(()=>r(t.signal?.reason??new DOMException(`aborted`,`AbortError`))),l=e=>{!i&&e&&e.id===t.orderId&&(t.onUpdate?.(e),lt.includes(e.status)?s(()=>n(e)):ut.includes(e.status)&&s(()=>r(new dt(e))))},u=()=>e.request(st,{id:t.orderId}).then(e=>{e.order?l(e.order):s(()=>r(new U({code:`NOT_FOUND`,message:`the order does not exist`})))},e=>{let t=W(e);t.retryable||s(()=>r(t))});if(t.signal?.aborted)return c();t.signal?.addEventListener(`abort`,c),o=e.subscribe(ct,{orgId:t.orgId},{next:e=>l(e.orderUpdated),error:e=>{e.retryable||s(()=>r(e))}}),i&&o(),u();let d=t.pollInterval??1e4;d>0&&!i&&(a=setInterval(()=>void u(),d))})}function q(e,t,n,r){let[i,a]=I({loading:!0}),[o,s]=I(0),c=Te(n);c.current=n,we(()=>{let n=new AbortController;return a(e=>({data:e.data,loading:!0})),e.request(t,c.current,{signal:n.signal}).then(e=>!n.signal.aborted&&a({data:e,loading:!1}),e=>!n.signal.aborted&&a({error:W(e),loading:!1})),()=>n.abort()},[e,t,r,o]);let l=De(()=>s(e=>e+1),[]);return{...i,reload:l}}function J(e,t){let[n,r]=I({busy:!1}),i=De(async n=>{r({busy:!0});try{let i=await e.request(t,n);return r({data:i,busy:!1}),i}catch(e){r({error:W(e),busy:!1});return}},[e,t]),a=De(()=>r({busy:!1}),[]);return{...n,run:i,reset:a}}var pt=K(`
  query BillingViewer {
    viewer {
      user { id email name }
      memberships { role org { id name currency country status } }
    }
  }
`),mt=K(`
  mutation BillingCreateOrg($input: CreateOrgInput!) {
    createOrg(input: $input) { org { id name currency country status } }
  }
`);K(`
  fragment BalanceFields on Balance {
    total
    free
    paid
    updatedAt
    grants { id kind paid amount remaining expiresAt reason }
  }
`);var ht=K(`
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
`),gt=K(`
  subscription BillingBalanceUpdated($orgId: ID!) {
    balanceUpdated(orgId: $orgId) {
      balance { ...BalanceFields }
      entry { id kind amount reason }
    }
  }
`),_t=K(`
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
`),vt=K(`
  mutation BillingPurchase($input: PurchasePackInput!) {
    purchasePack(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`),yt=K(`
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
`),bt=K(`
  mutation BillingCancelOrder($id: ID!) {
    cancelOrder(orderId: $id) { id status }
  }
`),xt=K(`
  query BillingMembers($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      members(first: 100) { edges { node { role createdAt user { id email name } } } }
    }
  }
`),St=K(`
  query BillingInvitations($orgId: ID!) {
    org(id: $orgId) {
      id
      invitations { id email role expiresAt acceptedAt revokedAt }
    }
  }
`),Ct=K(`
  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }
  }
`),wt=K(`
  mutation BillingRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) { invitation { id revokedAt } }
  }
`),Tt=K(`
  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }
  }
`),Et=K(`
  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
    removeMember(orgId: $orgId, userId: $userId) { userId }
  }
`),Dt=K(`
  query BillingApiKeys($orgId: ID!) {
    org(id: $orgId) {
      id
      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }
    }
  }
`),Ot=K(`
  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }
  }
`),kt=K(`
  mutation BillingRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { apiKey { id revokedAt } }
  }
`),At=K(`
  query BillingPlan($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      usage { scope periodStart periodEnd creditsConsumed }
      subscription {
        id
        status
        seats
        currentPeriodEnd
        renewsAt
        cancelAtPeriodEnd
        includedCreditsPerMonth
        includedCreditsLeft
        plan { id name interval }
      }
    }
  }
`),jt=K(`
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
        pack { name }
        paymentMethod { brand last4 }
      }
    }
  }
`),Mt=K(`
  mutation BillingAcceptInvitation($token: String!) {
    acceptInvitation(token: $token) { membership { role org { id name } } }
  }
`),Nt=K(`
  mutation BillingSpend($input: ConsumeCreditsInput!) {
    consumeCredits(input: $input) { entry { id amount balanceAfter } }
  }
`),Pt=0;Array.isArray;function Y(e,n,r,i,a,o){n||={};var s,c,l=n;if(`ref`in l)for(c in l={},n)c==`ref`?s=n[c]:l[c]=n[c];var u={type:e,props:l,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--Pt,__i:-1,__u:0,__source:a,__self:o};if(typeof e==`function`&&(s=e.defaultProps))for(c in s)l[c]===void 0&&(l[c]=s[c]);return t.vnode&&t.vnode(u),u}function X({error:e,title:t}){return Y(`div`,{class:`notice notice-error`,role:`alert`,"data-code":e.code,children:[Y(`p`,{children:Y(`strong`,{children:t??Le[e.code]})}),Y(`p`,{children:[e.message,e.field?` (field: ${e.field})`:``,e.retryAfter===void 0?``:` Retry in ${e.retryAfter} s.`]}),Y(`p`,{class:`muted`,children:[`Code: `,Y(`code`,{children:e.code})]})]})}function Z({what:e}){return Y(`p`,{class:`muted`,role:`status`,"aria-live":`polite`,children:[`Loading `,e,`…`]})}function Ft({children:e}){return Y(`p`,{class:`empty`,children:e})}function Q({title:e,id:t,children:n}){return Y(`section`,{"aria-labelledby":t,class:`card`,children:[Y(`h2`,{id:t,children:e}),n]})}function It({client:e,orgId:t,rights:n}){return n.canManage?Y(Lt,{client:e,orgId:t}):Y(Q,{title:`API keys`,id:`keys-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,n.role,`, may not manage API keys.`]})}),Y(`p`,{children:`API keys are managed by the OWNER and ADMIN roles.`})]})})}function Lt({client:e,orgId:t}){let n=q(e,Dt,{orgId:t},t),r=J(e,Ot),i=J(e,kt),[a,o]=I(``);if(n.loading&&!n.data)return Y(Z,{what:`API keys`});if(n.error)return Y(X,{error:n.error});let s=(n.data?.org?.apiKeys??[]).filter(e=>!e.revokedAt);return Y(Q,{title:`API keys`,id:`keys-h`,children:[Y(`p`,{class:`muted`,children:`A key lets your backend read the balance, spend credits and report usage for this organization.`}),Y(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await r.run({orgId:t,name:a})&&(o(``),n.reload())},children:[Y(`label`,{for:`key-name`,children:`Key name`}),Y(`input`,{id:`key-name`,required:!0,maxLength:100,value:a,onInput:e=>o(e.currentTarget.value)}),Y(`button`,{type:`submit`,disabled:r.busy,children:`Create key`})]}),r.error&&Y(X,{error:r.error}),r.data&&Y(`div`,{class:`notice notice-ok`,role:`status`,children:[Y(`p`,{children:[`Key “`,r.data.createApiKey.apiKey.name,`” created. Copy its secret now: it is not shown again.`]}),Y(`code`,{class:`secret`,"data-testid":`api-key-secret`,children:r.data.createApiKey.secret})]}),i.error&&Y(X,{error:i.error}),s.length===0?Y(Ft,{children:`No API keys.`}):Y(`ul`,{class:`list`,children:s.map(e=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:e.name}),` `,Y(`code`,{children:[e.prefix,`…`]}),` `,Y(`span`,{class:`muted`,children:[`created `,R(e.createdAt),`, last used `,R(e.lastUsedAt)]})]}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the key ${e.name}`,disabled:i.busy,onClick:async()=>{confirm(`Revoke the key ${e.name}? Requests with it fail at once.`)&&await i.run({id:e.id})&&n.reload()},children:`Revoke`})]},e.id))})]})}var Rt={FREE:`Sign-up gift`,PROMO:`Promotion`,SUBSCRIPTION:`Plan credits`,PURCHASED:`Bought pack`,AUTO_RECHARGE:`Auto-recharge`,ADJUSTMENT:`Adjustment`};function zt({balance:e,live:t,last:n}){return Y(Q,{title:`Credit balance`,id:`balance-h`,children:[Y(`div`,{class:`chips`,children:[Y(`div`,{class:`chip chip-free`,"data-testid":`chip-free`,children:[Y(`span`,{class:`chip-label`,children:`Free`}),Y(`span`,{class:`chip-value`,children:L(e.free)})]}),Y(`div`,{class:`chip chip-paid`,"data-testid":`chip-paid`,children:[Y(`span`,{class:`chip-label`,children:`Paid`}),Y(`span`,{class:`chip-value`,children:L(e.paid)})]})]}),Y(`p`,{class:`muted`,role:`status`,children:[t?`Live: changes appear here as they happen.`:`Connecting for live updates…`,n?` Last change: ${n}.`:``]}),Y(`h3`,{children:`Grants, in spending order`}),e.grants.length===0?Y(Ft,{children:`No credits left. Buy a pack to add some.`}):Y(`div`,{class:`tablewrap`,children:Y(`table`,{children:[Y(`caption`,{class:`sr-only`,children:`Credit grants with credits left`}),Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,children:`Kind`}),Y(`th`,{scope:`col`,children:`Chip`}),Y(`th`,{scope:`col`,class:`num`,children:`Remaining`}),Y(`th`,{scope:`col`,class:`num`,children:`Of`}),Y(`th`,{scope:`col`,children:`Expires`})]})}),Y(`tbody`,{children:e.grants.map(e=>Y(`tr`,{children:[Y(`td`,{children:Rt[e.kind]}),Y(`td`,{children:e.paid?`Paid`:`Free`}),Y(`td`,{class:`num`,children:L(e.remaining)}),Y(`td`,{class:`num`,children:L(e.amount)}),Y(`td`,{children:e.expiresAt?R(e.expiresAt):`Never`})]},e.id))})]})})]})}var Bt=`tally.billing.token`,Vt=`tally.billing.org`,Ht=`tally.billing.pendingOrder`,Ut=`/graphql`,Wt=`/billing/dev/token`;function Gt(){return sessionStorage.getItem(Bt)??void 0}function Kt(e){e?sessionStorage.setItem(Bt,e):sessionStorage.removeItem(Bt)}function qt(){return sessionStorage.getItem(Vt)??void 0}function Jt(e){e?sessionStorage.setItem(Vt,e):sessionStorage.removeItem(Vt)}function Yt(e){return nt({url:Ut,token:e})}async function Xt(e,t){let n=await fetch(Wt,{method:`POST`,headers:{"Content-Type":`application/json`},body:JSON.stringify({email:e,name:t})});if(n.status===404||n.status===405)return;let r=await n.json().catch(()=>({}));if(!n.ok||!r.token)throw Error(r.errors?.[0]?.message??`the server answered ${n.status}`);return r.token}var Zt=[{number:`4242424242424242`,label:`4242 4242 4242 4242: pays at once`},{number:`4000002500003155`,label:`4000 0025 0000 3155: 3-D Secure on the confirm page`},{number:`4000000000000259`,label:`4000 0000 0000 0259: pays a moment later`},{number:`4000000000000002`,label:`4000 0000 0000 0002: declined`},{number:`4000000000009995`,label:`4000 0000 0000 9995: declined, insufficient funds`},{number:``,label:`Choose a card on the hosted payment page`}];function Qt({client:e,orgId:t,currency:n,rights:r}){let i=q(e,_t,{currency:n},n),[a,o]=I(),[s,c]=I(1),[l,u]=I(Zt[0].number),[d,f]=I(``),[p,m]=I({kind:`idle`}),h=(n,r)=>{m(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),ft(e,{orgId:t,orderId:n.id,signal:r,onUpdate:e=>m(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>m({kind:`paid`,order:e}),e=>{r?.aborted||m({kind:`failed`,error:W(e)})})};if(we(()=>{let e=sessionStorage.getItem(Ht);if(!e)return;sessionStorage.removeItem(Ht);let n=JSON.parse(e);if(n.orgId!==t)return;new URLSearchParams(location.search).has(`payment_id`)&&history.replaceState(null,``,`${location.pathname}${location.hash}`);let r=new AbortController;return h(n.order,r.signal),()=>r.abort()},[t]),!r.canBuy)return Y(Q,{title:`Buy credits`,id:`buy-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,r.role,`, may not buy credits.`]})}),Y(`p`,{children:`Buying credits takes the OWNER or BILLING role. Ask an owner of this organization to buy a pack or to give you the BILLING role.`})]})});if(i.loading&&!i.data)return Y(Z,{what:`packs`});if(i.error)return Y(X,{error:i.error});let g=(i.data?.packs??[]).filter(e=>!e.custom&&e.price),_=g.find(e=>e.id===a)??g[0],v=async n=>{if(n.preventDefault(),!_)return;m({kind:`paying`});let r=crypto.randomUUID(),i={orgId:t,packId:_.id,quantity:s,idempotencyKey:r,paymentMethodId:l||void 0,invoiceDetails:d.trim()?{companyName:d.trim()}:void 0},a=`${location.origin}${location.pathname}#buy`,o=!0,c;try{try{c=await e.request(vt,{input:{...i,returnUrl:a}})}catch(t){let n=W(t);if(n.code!==`INVALID_INPUT`||!n.field?.toLowerCase().endsWith(`returnurl`))throw n;o=!1,c=await e.request(vt,{input:i})}}catch(e){m({kind:`failed`,error:W(e)});return}let{order:u,nextAction:f}=c.purchasePack;if(u.status===`FAILED`||u.status===`CANCELED`)m({kind:`failed`,error:new dt(u)});else if(u.status===`PAID`)m({kind:`paid`,order:u});else if(f?.kind===`REDIRECT`&&f.redirectUrl){if(o){sessionStorage.setItem(Ht,JSON.stringify({orgId:t,order:u})),m({kind:`redirecting`,url:f.redirectUrl}),await it(f);return}m({kind:`action`,url:f.redirectUrl,order:u}),h(u)}else{try{await it(f)}catch(e){m({kind:`failed`,error:W(e)});return}h(u)}},y=p.kind===`paying`||p.kind===`redirecting`||p.kind===`waiting`||p.kind===`action`;return Y(Q,{title:`Buy credits`,id:`buy-h`,children:[g.length===0?Y(Ft,{children:[`No packs are priced in `,n,`.`]}):Y(`form`,{onSubmit:v,class:`form`,children:[Y(`fieldset`,{children:[Y(`legend`,{children:[`Pack (prices in `,n,`, tax added at checkout)`]}),Y(`div`,{class:`packs`,children:g.map(e=>Y(`label`,{class:`pack${_?.id===e.id?` pack-selected`:``}`,children:[Y(`input`,{type:`radio`,name:`pack`,value:e.id,checked:_?.id===e.id,onChange:()=>o(e.id)}),Y(`span`,{class:`pack-name`,children:e.name}),Y(`span`,{class:`pack-credits`,children:[L(e.credits),` credits`]}),Y(`span`,{class:`pack-price`,children:Ie(e.price)}),Y(`span`,{class:`muted`,children:e.validity===`NEVER`?`Never expires`:e.validity===`BILLING_CYCLE`?`Expires with the billing cycle`:`Monthly add-on`})]},e.id))})]}),Y(`label`,{for:`buy-qty`,children:`Quantity`}),Y(`input`,{id:`buy-qty`,type:`number`,min:1,max:100,required:!0,value:s,onInput:e=>c(Math.max(1,Number(e.currentTarget.value)||1))}),Y(`label`,{for:`buy-card`,children:`Card (sandbox test cards)`}),Y(`select`,{id:`buy-card`,value:l,onChange:e=>u(e.currentTarget.value),children:Zt.map(e=>Y(`option`,{value:e.number,children:e.label},e.number))}),Y(`label`,{for:`buy-company`,children:`Company name on the invoice (optional)`}),Y(`input`,{id:`buy-company`,value:d,onInput:e=>f(e.currentTarget.value),autocomplete:`organization`}),_&&Y(`p`,{children:[s,` × `,_.name,`: `,L(_.credits*s),` credits for`,` `,_.price?`${(Number(_.price.amount)*s).toFixed(2)} ${_.price.currency}`:`—`,` before tax.`]}),Y(`button`,{type:`submit`,disabled:y||!_,children:p.kind===`paying`?`Paying…`:`Buy`})]}),Y(`div`,{"aria-live":`polite`,class:`outcome`,children:[p.kind===`redirecting`&&Y(`p`,{role:`status`,children:`Taking you to the payment page to confirm…`}),p.kind===`action`&&Y(`div`,{class:`notice notice-info`,role:`status`,children:[Y(`p`,{children:[`Order `,p.order.number,` needs you to confirm the payment.`]}),Y(`p`,{children:[Y(`a`,{href:p.url,target:`_blank`,rel:`noopener`,children:`Open the confirm page`}),` `,`(a new tab); this page updates when the order is paid.`]})]}),p.kind===`waiting`&&Y(`p`,{role:`status`,children:[`Order `,p.order.number,` is `,p.order.status.toLowerCase().replace(`_`,` `),`: waiting for the payment…`]}),p.kind===`paid`&&Y(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":`purchase-paid`,children:Y(`p`,{children:[Y(`strong`,{children:`Paid.`}),` Order `,p.order.number,` added `,L(p.order.credits),` credits`,p.order.invoice?`; invoice ${p.order.invoice.number} is under Orders & invoices`:``,`.`]})}),p.kind===`failed`&&Y(X,{error:p.error,title:p.error.code===`PAYMENT_FAILED`?`The payment was declined. No credits were added and nothing was charged.`:void 0})]})]})}var $t=[`OWNER`,`ADMIN`,`BILLING`,`MEMBER`];function en({client:e,orgId:t,rights:n}){let r=q(e,xt,{orgId:t},t),i=J(e,Tt),a=J(e,Et);if(r.loading&&!r.data)return Y(Z,{what:`members`});if(r.error)return Y(X,{error:r.error});let o=r.data.org,s=o.members.edges.map(e=>e.node),c=i.error??a.error;return Y(S,{children:[Y(Q,{title:`Seats`,id:`seats-h`,children:[Y(`p`,{children:[Y(`strong`,{children:o.seats.used}),` of `,Y(`strong`,{children:o.seats.total}),` seats used, `,o.seats.pending,` held by pending invitations,`,` `,o.seats.available,` free.`]}),Y(`meter`,{min:0,max:o.seats.total,value:o.seats.used+o.seats.pending,"aria-label":`Seats taken`,children:[o.seats.used+o.seats.pending,` of `,o.seats.total]})]}),Y(Q,{title:`Members`,id:`members-h`,children:[c&&Y(X,{error:c}),!n.canManage&&Y(`p`,{class:`muted`,children:[`Changing roles and members takes the OWNER or ADMIN role; yours is `,n.role,`.`]}),Y(`ul`,{class:`list`,children:s.map(e=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:e.user.name||e.user.email}),e.user.name&&Y(S,{children:[` `,Y(`span`,{class:`muted`,children:e.user.email})]})]}),n.canManage&&e.role!==`OWNER`?Y(`span`,{class:`row`,children:[Y(`label`,{class:`sr-only`,for:`role-${e.user.id}`,children:[`Role of `,e.user.email]}),Y(`select`,{id:`role-${e.user.id}`,value:e.role,disabled:i.busy,onChange:async n=>{await i.run({orgId:t,userId:e.user.id,role:n.currentTarget.value})&&r.reload()},children:$t.filter(e=>e!==`OWNER`).map(e=>Y(`option`,{value:e,children:e},e))}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${e.user.email}`,disabled:a.busy,onClick:async()=>{confirm(`Remove ${e.user.email} from the organization?`)&&await a.run({orgId:t,userId:e.user.id})&&r.reload()},children:`Remove`})]}):Y(`span`,{class:`badge`,children:e.role})]},e.user.id))})]}),n.canManage&&Y(tn,{client:e,orgId:t,onChange:r.reload})]})}function tn({client:e,orgId:t,onChange:n}){let r=q(e,St,{orgId:t},t),i=J(e,Ct),a=J(e,wt),[o,s]=I(``),[c,l]=I(`MEMBER`),u=(r.data?.org?.invitations??[]).filter(e=>!e.acceptedAt&&!e.revokedAt);return Y(Q,{title:`Invitations`,id:`invites-h`,children:[Y(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await i.run({orgId:t,email:o,role:c})&&(s(``),r.reload(),n())},children:[Y(`label`,{for:`invite-email`,children:`Email`}),Y(`input`,{id:`invite-email`,type:`email`,required:!0,value:o,onInput:e=>s(e.currentTarget.value)}),Y(`label`,{for:`invite-role`,children:`Role`}),Y(`select`,{id:`invite-role`,value:c,onChange:e=>l(e.currentTarget.value),children:$t.filter(e=>e!==`OWNER`).map(e=>Y(`option`,{value:e,children:e},e))}),Y(`button`,{type:`submit`,disabled:i.busy,children:`Invite`})]}),i.error&&Y(X,{error:i.error}),i.data?.inviteMember&&Y(`div`,{class:`notice notice-ok`,role:`status`,children:[Y(`p`,{children:[`Invited `,i.data.inviteMember.invitation.email,`. The invitation token, shown only now, for them to accept:`]}),Y(`code`,{class:`secret`,children:i.data.inviteMember.token})]}),a.error&&Y(X,{error:a.error}),r.error?Y(X,{error:r.error}):r.loading&&!r.data?Y(Z,{what:`invitations`}):u.length===0?Y(Ft,{children:`No pending invitations.`}):Y(`ul`,{class:`list`,children:u.map(e=>Y(`li`,{children:[Y(`span`,{children:[e.email,` as `,e.role,`, expires `,R(e.expiresAt)]}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the invitation of ${e.email}`,onClick:async()=>{await a.run({id:e.id})&&(r.reload(),n())},children:`Revoke`})]},e.id))})]})}function nn({client:e,onCreated:t}){let n=J(e,mt),r=J(e,Mt),[i,a]=I(`Acme`),[o,s]=I(`DE`),[c,l]=I(`EUR`),[u,d]=I(``);return Y(S,{children:[Y(`p`,{class:`muted`,children:`You are not a member of any organization yet: create one to get its sign-up credit, or join one you were invited to.`}),Y(`div`,{class:`grid2`,children:[Y(Q,{title:`Create an organization`,id:`create-org-h`,children:[Y(`form`,{onSubmit:async e=>{e.preventDefault();let r=await n.run({input:{name:i,country:o.toUpperCase(),currency:c}});r&&t(r.createOrg.org.id)},class:`form`,children:[Y(`label`,{for:`org-name`,children:`Name`}),Y(`input`,{id:`org-name`,required:!0,value:i,onInput:e=>a(e.currentTarget.value)}),Y(`label`,{for:`org-country`,children:`Country (ISO code)`}),Y(`input`,{id:`org-country`,required:!0,maxLength:2,value:o,onInput:e=>s(e.currentTarget.value)}),Y(`label`,{for:`org-currency`,children:`Currency`}),Y(`select`,{id:`org-currency`,value:c,onChange:e=>l(e.currentTarget.value),children:[Y(`option`,{value:`EUR`,children:`EUR`}),Y(`option`,{value:`USD`,children:`USD`}),Y(`option`,{value:`BRL`,children:`BRL`})]}),Y(`button`,{type:`submit`,disabled:n.busy,children:n.busy?`Creating…`:`Create organization`})]}),n.error&&Y(X,{error:n.error})]}),Y(Q,{title:`Join with an invitation`,id:`join-org-h`,children:[Y(`form`,{onSubmit:async e=>{e.preventDefault();let n=await r.run({token:u.trim()});n&&t(n.acceptInvitation.membership.org.id)},class:`form`,children:[Y(`label`,{for:`invitation-token`,children:`Invitation token`}),Y(`input`,{id:`invitation-token`,required:!0,value:u,onInput:e=>d(e.currentTarget.value),spellcheck:!1}),Y(`button`,{type:`submit`,disabled:r.busy,children:r.busy?`Joining…`:`Accept invitation`})]}),r.error&&Y(X,{error:r.error})]})]})]})}var rn={PAID:`badge-ok`,FAILED:`badge-bad`,CANCELED:`badge-muted`,REQUIRES_ACTION:`badge-warn`,PENDING:`badge-warn`,PROCESSING:`badge-warn`};async function an(e,t,n){let r=e.options.token,i=$e(typeof r==`function`?r():r),a=await fetch(t,{headers:i?{Authorization:i}:{}});if(!a.ok){let e=(await a.json().catch(()=>void 0))?.errors?.[0];throw new U({code:e?.extensions?.code===`FORBIDDEN`?`FORBIDDEN`:a.status===404?`NOT_FOUND`:`INTERNAL`,message:e?.message??`the server answered ${a.status}`,status:a.status})}let o=await a.blob(),s=URL.createObjectURL(o),c=document.createElement(`a`);c.href=s,c.download=`${n}.pdf`,document.body.appendChild(c),c.click(),c.remove(),setTimeout(()=>URL.revokeObjectURL(s),1e4)}function on({client:e,orgId:t,rights:n}){let r=q(e,yt,{orgId:t},t),i=J(e,bt),[a,o]=I(),[s,c]=I(),l=r.reload;if(we(()=>{if(n.canBuy)return e.subscribe(ct,{orgId:t},{next:()=>l()})},[e,t,n.canBuy,l]),!n.canBuy)return Y(Q,{title:`Orders & invoices`,id:`orders-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,n.role,`, may not see orders or invoices.`]})}),Y(`p`,{children:`They are for the OWNER and BILLING roles.`})]})});if(r.loading&&!r.data)return Y(Z,{what:`orders`});if(r.error)return Y(X,{error:r.error});let u=r.data?.org?.orders.edges.map(e=>e.node)??[],d=r.data?.org?.invoices.edges.map(e=>e.node)??[];return Y(S,{children:[Y(Q,{title:`Orders`,id:`orders-h`,children:[Y(`button`,{type:`button`,class:`secondary`,onClick:r.reload,children:`Refresh`}),i.error&&Y(X,{error:i.error}),u.length===0?Y(Ft,{children:`No orders yet.`}):Y(`div`,{class:`tablewrap`,children:Y(`table`,{children:[Y(`caption`,{class:`sr-only`,children:`Orders, newest first`}),Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,children:`Order`}),Y(`th`,{scope:`col`,children:`Date`}),Y(`th`,{scope:`col`,children:`Status`}),Y(`th`,{scope:`col`,class:`num`,children:`Credits`}),Y(`th`,{scope:`col`,class:`num`,children:`Total`}),Y(`th`,{scope:`col`,children:Y(`span`,{class:`sr-only`,children:`Actions`})})]})}),Y(`tbody`,{children:u.map(e=>Y(`tr`,{children:[Y(`td`,{children:e.number}),Y(`td`,{children:R(e.createdAt)}),Y(`td`,{children:[Y(`span`,{class:`badge ${rn[e.status]??``}`,children:e.status}),e.failureReason&&Y(`span`,{class:`muted`,children:[` `,e.failureReason]})]}),Y(`td`,{class:`num`,children:L(e.credits)}),Y(`td`,{class:`num`,children:Ie(e.total)}),Y(`td`,{children:(e.status===`PENDING`||e.status===`REQUIRES_ACTION`)&&Y(`button`,{type:`button`,class:`secondary`,disabled:i.busy,"aria-label":`Cancel order ${e.number}`,onClick:async()=>{await i.run({id:e.id})&&r.reload()},children:`Cancel`})})]},e.id))})]})})]}),Y(Q,{title:`Invoices`,id:`invoices-h`,children:[a&&Y(X,{error:a}),s&&Y(`p`,{role:`status`,class:`muted`,children:[`Downloaded `,s,`.pdf`]}),d.length===0?Y(Ft,{children:`No invoices yet. A paid order gets one.`}):Y(`ul`,{class:`list`,children:d.map(t=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:t.number}),` · `,R(t.issuedAt),` · `,Ie(t.total),` · order `,t.orderNumber,t.status!==`PAID`&&Y(`span`,{class:`badge badge-muted`,children:[` `,t.status]})]}),Y(`button`,{type:`button`,"aria-label":`Download invoice ${t.number} as PDF`,onClick:async()=>{o(void 0);try{await an(e,t.pdfUrl,t.number),c(t.number)}catch(e){o(e instanceof U?e:new U({code:`INTERNAL`,message:String(e)}))}},children:`Download PDF`})]},t.id))})]})]})}function sn({client:e,orgId:t,rights:n}){let r=q(e,At,{orgId:t},t);if(r.loading&&!r.data)return Y(Z,{what:`the plan`});if(r.error)return Y(X,{error:r.error});let i=r.data.org,a=i.subscription,o=a?a.includedCreditsPerMonth-a.includedCreditsLeft:0;return Y(S,{children:[Y(Q,{title:`Plan`,id:`plan-h`,children:a?Y(S,{children:[Y(`p`,{children:[Y(`strong`,{children:a.plan.name}),` (`,a.plan.interval.toLowerCase(),`), `,a.seats,` seats, `,Y(`span`,{class:`badge`,children:a.status})]}),Y(`p`,{children:[a.cancelAtPeriodEnd?`Ends`:`Renews`,` `,R(a.renewsAt??a.currentPeriodEnd),`.`]}),Y(`label`,{for:`included-meter`,children:[`Included credits this month: `,L(o),` of `,L(a.includedCreditsPerMonth),` used`]}),Y(`meter`,{id:`included-meter`,min:0,max:Math.max(1,a.includedCreditsPerMonth),value:o})]}):Y(`p`,{children:[`Free plan: `,i.seats.total,` seats, no charge.`]})}),Y(Q,{title:`Usage`,id:`usage-h`,children:Y(`p`,{children:[L(i.usage.creditsConsumed),` credits spent `,i.usage.scope===`MEMBER`?`by you`:`by the organization`,` from`,` `,R(i.usage.periodStart),` to `,R(i.usage.periodEnd),`.`]})}),n.canBuy?Y(cn,{client:e,orgId:t}):null]})}function cn({client:e,orgId:t}){let n=q(e,jt,{orgId:t},t),r=n.data?.org?.autoRecharge;return Y(Q,{title:`Auto-recharge`,id:`ar-h`,children:n.error?Y(X,{error:n.error}):n.loading&&!n.data?Y(Z,{what:`auto-recharge`}):!r||!r.enabled?Y(`p`,{children:`Off. Turn it on with setAutoRecharge and a saved card to top up below a threshold.`}):Y(S,{children:[Y(`p`,{children:[r.paused?Y(`span`,{class:`badge badge-warn`,children:[`Paused`,r.pauseReason?`: ${r.pauseReason}`:``]}):Y(`span`,{class:`badge badge-ok`,children:`On`}),` Below`,` `,L(r.threshold),` credits, buys `,r.quantity,` × `,r.pack?.name??`credits`,r.paymentMethod?` with ${r.paymentMethod.brand} ${r.paymentMethod.last4??``}`:``,`.`]}),Y(`p`,{children:[`Spent `,Ie(r.spentThisPeriod),` of `,Ie(r.spendingLimit),` until `,R(r.periodEnd),`.`]})]})})}function ln({onToken:e}){let[t,n]=I(``),[r,i]=I(`ada@example.com`),[a,o]=I(``),[s,c]=I(),[l,u]=I(!1);return Y(`main`,{id:`main`,class:`signin`,children:[Y(`h1`,{children:`Sign in to billing`}),Y(`p`,{class:`muted`,children:[`In production the app that embeds this page signs people in with your identity provider. For development, paste a token (`,Y(`code`,{children:`tally token --email you@example.com`}),`) or mint one here.`]}),Y(`div`,{class:`grid2`,children:[Y(`form`,{class:`card`,onSubmit:async t=>{t.preventDefault(),u(!0),c(void 0);try{let t=await Xt(r,a);t?e(t):c(`This server does not mint development tokens (it runs in production or with its own TALLY_JWT_SECRET). Paste a token instead.`)}catch(e){c(`Could not mint a token: ${e.message}`)}finally{u(!1)}},"aria-labelledby":`mint-h`,children:[Y(`h2`,{id:`mint-h`,children:`Development sign-in`}),Y(`label`,{for:`dev-email`,children:`Email`}),Y(`input`,{id:`dev-email`,type:`email`,required:!0,value:r,onInput:e=>i(e.currentTarget.value),autocomplete:`email`}),Y(`label`,{for:`dev-name`,children:`Name (optional)`}),Y(`input`,{id:`dev-name`,value:a,onInput:e=>o(e.currentTarget.value),autocomplete:`name`}),Y(`button`,{type:`submit`,disabled:l,children:l?`Signing in…`:`Sign in with a development token`})]}),Y(`form`,{class:`card`,"aria-labelledby":`paste-h`,onSubmit:n=>{n.preventDefault(),t.trim()&&e(t.trim().replace(/^bearer\s+/i,``))},children:[Y(`h2`,{id:`paste-h`,children:`Paste a token`}),Y(`label`,{for:`paste-token`,children:`Token`}),Y(`textarea`,{id:`paste-token`,rows:4,required:!0,value:t,onInput:e=>n(e.currentTarget.value),spellcheck:!1}),Y(`button`,{type:`submit`,children:`Sign in with this token`})]})]}),s&&Y(`div`,{class:`notice notice-error`,role:`alert`,children:s})]})}function un({client:e,orgId:t}){let n=J(e,Nt),[r,i]=I(1e3),[a,o]=I(`billing page test`);return Y(Q,{title:`Spend credits`,id:`spend-h`,children:[Y(`p`,{class:`muted`,children:`Your product spends credits with consumeCredits; try one here and watch the balance above.`}),Y(`form`,{class:`form inline`,onSubmit:e=>{e.preventDefault(),n.run({input:{orgId:t,amount:r,reason:a,idempotencyKey:crypto.randomUUID()}})},children:[Y(`label`,{for:`spend-amount`,children:`Credits to spend`}),Y(`input`,{id:`spend-amount`,type:`number`,min:1,step:1,required:!0,value:r,onInput:e=>i(Math.max(1,Math.floor(Number(e.currentTarget.value)||1)))}),Y(`label`,{for:`spend-reason`,children:`Reason`}),Y(`input`,{id:`spend-reason`,maxLength:200,value:a,onInput:e=>o(e.currentTarget.value)}),Y(`button`,{type:`submit`,disabled:n.busy,children:`Spend`})]}),n.error&&Y(X,{error:n.error}),n.data&&!n.error&&Y(`p`,{role:`status`,children:[`Spent `,L(n.data.consumeCredits.entry.amount<0?-n.data.consumeCredits.entry.amount:n.data.consumeCredits.entry.amount),` credits;`,` `,L(n.data.consumeCredits.entry.balanceAfter),` left.`]})]})}var $=[{id:`balance`,label:`Balance`},{id:`buy`,label:`Buy credits`},{id:`orders`,label:`Orders & invoices`},{id:`members`,label:`Members`},{id:`keys`,label:`API keys`},{id:`plan`,label:`Plan & usage`}];function dn(){let e=location.hash.replace(/^#/,``);return $.find(t=>t.id===e)?.id??`balance`}function fn(e){return{role:e,canBuy:e===`OWNER`||e===`BILLING`,canManage:e===`OWNER`||e===`ADMIN`}}function pn(){let[e,t]=I(Gt()),n=Ee(()=>e?Yt(e):void 0,[e]);return we(()=>()=>n?.dispose(),[n]),n?Y(mn,{client:n,signOut:()=>{Kt(void 0),Jt(void 0),t(void 0)}}):Y(ln,{onToken:e=>{Kt(e),t(e)}})}function mn({client:e,signOut:t}){let n=q(e,pt,{},`viewer`),[r,i]=I(qt());if(n.loading&&!n.data)return Y(hn,{signOut:t,children:Y(Z,{what:`your account`})});if(n.error)return Y(hn,{signOut:t,children:[Y(X,{error:n.error}),Y(`button`,{type:`button`,onClick:t,children:`Sign in again`})]});let a=n.data.viewer,o=a.memberships.find(e=>e.org.id===r)??a.memberships[0],s=e=>{Jt(e),i(e)};return Y(hn,{signOut:t,user:a.user,children:[a.memberships.length>0&&Y(`div`,{class:`orgbar`,children:[Y(`label`,{for:`org-select`,children:`Organization`}),Y(`select`,{id:`org-select`,value:o?.org.id,onChange:e=>s(e.currentTarget.value),children:a.memberships.map(e=>Y(`option`,{value:e.org.id,children:[e.org.name,` (`,e.role,`)`]},e.org.id))})]}),o?Y(gn,{client:e,membership:o},o.org.id):Y(nn,{client:e,onCreated:e=>{s(e),n.reload()}})]})}function hn({children:e,signOut:t,user:n}){return Y(S,{children:[Y(`header`,{class:`topbar`,children:[Y(`a`,{class:`skip`,href:`#main`,children:`Skip to content`}),Y(`span`,{class:`brand`,children:`Tally billing`}),n&&Y(`span`,{class:`who`,children:n.name||n.email}),Y(`button`,{type:`button`,class:`link`,onClick:t,children:`Sign out`})]}),Y(`main`,{id:`main`,children:e})]})}function gn({client:e,membership:t}){let n=t.org.id,r=fn(t.role),[i,a]=I(dn());we(()=>{let e=()=>a(dn());return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]);let o=q(e,ht,{orgId:n},n),[s,c]=I({connected:!1});we(()=>{c({connected:!1});let t=e.onSocket(e=>c(t=>({...t,connected:e===`connected`}))),r=e.subscribe(gt,{orgId:n},{next:e=>{let t=e.balanceUpdated.entry;c({balance:e.balanceUpdated.balance,connected:!0,last:t?`${t.kind} ${L(t.amount)}${t.reason?` (${t.reason})`:``}`:void 0})},error:()=>c(e=>({...e,connected:!1}))});return()=>{r(),t()}},[e,n]);let l=o.data?.org?.balance,u=s.balance&&(!l||s.balance.updatedAt>=l.updatedAt)?s.balance:l,d=o.data?.org,f=e=>{history.replaceState(null,``,`#${e}`),a(e)},p=(e,t)=>{let n=-1;e.key===`ArrowRight`&&(n=(t+1)%$.length),e.key===`ArrowLeft`&&(n=(t-1+$.length)%$.length),e.key===`Home`&&(n=0),e.key===`End`&&(n=$.length-1),n>=0&&(e.preventDefault(),f($[n].id),document.getElementById(`tab-${$[n].id}`)?.focus())};return Y(S,{children:[Y(`div`,{class:`orghead`,children:[Y(`h1`,{children:t.org.name}),Y(`p`,{class:`muted`,children:[`Your role: `,Y(`strong`,{"data-testid":`role`,children:t.role}),` · `,t.org.country,` · `,t.org.currency,d&&d.status!==`ACTIVE`&&Y(S,{children:[` `,`· `,Y(`span`,{class:`badge badge-warn`,children:d.status})]})]}),u&&Y(`p`,{class:`total`,"aria-live":`polite`,children:[`Balance: `,Y(`strong`,{"data-testid":`balance-total`,children:L(u.total)}),` credits`]})]}),Y(`div`,{role:`tablist`,"aria-label":`Billing sections`,class:`tabs`,children:$.map((e,t)=>Y(`button`,{id:`tab-${e.id}`,role:`tab`,type:`button`,"aria-selected":i===e.id,"aria-controls":i===e.id?`panel-${e.id}`:void 0,tabIndex:i===e.id?0:-1,onClick:()=>f(e.id),onKeyDown:e=>p(e,t),children:e.label},e.id))}),Y(`div`,{role:`tabpanel`,id:`panel-${i}`,"aria-labelledby":`tab-${i}`,tabIndex:0,class:`panel`,children:[i===`balance`&&(o.error?Y(X,{error:o.error}):u?Y(S,{children:[Y(zt,{balance:u,live:s.connected,last:s.last}),Y(un,{client:e,orgId:n})]}):Y(Z,{what:`the balance`})),i===`buy`&&d&&Y(Qt,{client:e,orgId:n,currency:d.currency,rights:r}),i===`buy`&&!d&&(o.error?Y(X,{error:o.error}):Y(Z,{what:`the organization`})),i===`orders`&&Y(on,{client:e,orgId:n,rights:r}),i===`members`&&Y(en,{client:e,orgId:n,rights:r}),i===`keys`&&Y(It,{client:e,orgId:n,rights:r}),i===`plan`&&Y(sn,{client:e,orgId:n,rights:r})]})]})}ue(Y(pn,{}),document.getElementById(`app`));