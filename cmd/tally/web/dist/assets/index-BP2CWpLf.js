var e,t,n,r,i,a,o,s,c,l,u,d,f,p,m={},h=[],g=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,_=Array.isArray;function v(e,t){for(var n in t)e[n]=t[n];return e}function y(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function b(t,n,r){var i,a,o,s={};for(o in n)o==`key`?i=n[o]:o==`ref`?a=n[o]:s[o]=n[o];if(arguments.length>2&&(s.children=arguments.length>3?e.call(arguments,2):r),typeof t==`function`&&t.defaultProps!=null)for(o in t.defaultProps)s[o]===void 0&&(s[o]=t.defaultProps[o]);return x(t,s,i,a,null)}function x(e,r,i,a,o){var s={type:e,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:o??++n,__i:-1,__u:0};return o==null&&t.vnode!=null&&t.vnode(s),s}function S(e){return e.children}function C(e,t){this.props=e,this.context=t}function w(e,t){if(t==null)return e.__?w(e.__,e.__i+1):null;for(var n;t<e.__k.length;t++)if((n=e.__k[t])!=null&&n.__e!=null)return n.__e;return typeof e.type==`function`?w(e):null}function T(e){if(e.__P&&e.__d){var n=e.__v,r=n.__e,i=[],a=[],o=v({},n);o.__v=n.__v+1,t.vnode&&t.vnode(o),re(e.__P,o,n,e.__n,e.__P.namespaceURI,32&n.__u?[r]:null,i,r??w(n),!!(32&n.__u),a),o.__v=n.__v,o.__.__k[o.__i]=o,ae(i,o,a),n.__e=n.__=null,o.__e!=r&&E(o)}}function E(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),E(e)}function D(e){(!e.__d&&(e.__d=!0)&&r.push(e)&&!O.__r++||i!=t.debounceRendering)&&((i=t.debounceRendering)||a)(O)}function O(){try{for(var e,t=1;r.length;)r.length>t&&r.sort(o),e=r.shift(),t=r.length,T(e)}finally{r.length=O.__r=0}}function k(e,t,n,r,i,a,o,s,c,l,u){var d,f,p,g,_,v,y=r&&r.__k||h,b=t.length;for(c=A(n,t,y,c,b),d=0;d<b;d++)(p=n.__k[d])!=null&&(f=p.__i!=-1&&y[p.__i]||m,p.__i=d,v=re(e,p,f,i,a,o,s,c,l,u),g=p.__e,p.ref&&f.ref!=p.ref&&(f.ref&&ce(f.ref,null,p),u.push(p.ref,p.__c||g,p)),_==null&&g!=null&&(_=g),4&p.__u?(c=j(p,c,e),f.__e&&(f.__e=null)):typeof p.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),p.__u&=-7);return n.__e=_,c}function A(e,t,n,r,i){var a,o,s,c,l,u=n.length,d=u,f=0;for(e.__k=Array(i),a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o==`string`||typeof o==`number`||typeof o==`bigint`||o.constructor==String?o=e.__k[a]=x(null,o,null,null,null):_(o)?o=e.__k[a]=x(S,{children:o},null,null,null):o.constructor===void 0&&o.__b>0?o=e.__k[a]=x(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):e.__k[a]=o,c=a+f,o.__=e,o.__b=e.__b+1,s=null,(l=o.__i=ee(o,n,c,d))!=-1&&(d--,(s=n[l])&&(s.__u|=2)),s==null||s.__v==null?(l==-1&&(i>u?f--:i<u&&f++),typeof o.type!=`function`&&(o.__u|=4)):l!=c&&(l==c-1?f--:l==c+1?f++:(l>c?f--:f++,o.__u|=4))):e.__k[a]=null;if(d)for(a=0;a<u;a++)(s=n[a])!=null&&!(2&s.__u)&&(s.__e==r&&(r=w(s)),le(s,s));return r}function j(e,t,n){var r,i;if(typeof e.type==`function`){for(r=e.__k,i=0;r&&i<r.length;i++)r[i]&&(r[i].__=e,t=j(r[i],t,n));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=w(e)),t=n.insertBefore(e.__e,t||null));do t&&=t.nextSibling;while(t!=null&&t.nodeType==8);return t}function ee(e,t,n,r){var i,a,o,s=e.key,c=e.type,l=t[n],u=l!=null&&!(2&l.__u);if(l===null&&s==null||u&&s==l.key&&c==l.type)return n;if(r>+!!u){for(i=n-1,a=n+1;i>=0||a<t.length;)if((l=t[o=i>=0?i--:a++])!=null&&!(2&l.__u)&&s==l.key&&c==l.type)return o}return-1}function te(e,t,n){t[0]==`-`?e.setProperty(t,n??``):e[t]=n==null?``:typeof n!=`number`||g.test(t)?n:n+`px`}function ne(e,t,n,r,i){var a,o;e:if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||te(e.style,t,``);if(n)for(t in n)r&&n[t]==r[t]||te(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)a=t!=(t=t.replace(u,`$1`)),o=t.toLowerCase(),t=o in e||t==`onFocusOut`||t==`onFocusIn`?o.slice(2):t.slice(2),e.l||={},e.l[t+a]=n,n?r?n[l]=r[l]:(n[l]=d,e.addEventListener(t,a?p:f,a)):e.removeEventListener(t,a?p:f,a);else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;break e}catch{}typeof n==`function`||(n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n))}}function M(e){return function(n){if(this.l){var r=this.l[n.type+e];if(n[c]==null)n[c]=d++;else if(n[c]<r[l])return;return r(t.event?t.event(n):n)}}}function re(e,n,r,i,a,o,s,c,l,u){var d,f,p,m,g,b,x,T,E,D,O,A,j,ee,te,ne,M=n.type;if(n.constructor!==void 0)return null;128&r.__u&&(l=!!(32&r.__u),o=[c=n.__e=r.__e]),(d=t.__b)&&d(n);e:if(typeof M==`function`){f=s.length;try{if(E=n.props,D=M.prototype&&M.prototype.render,O=(d=M.contextType)&&i[d.__c],A=d?O?O.props.value:d.__:i,r.__c?T=(p=n.__c=r.__c).__=p.__E:(D?n.__c=p=new M(E,A):(n.__c=p=new C(E,A),p.constructor=M,p.render=ue),O&&O.sub(p),p.state||(p.state={}),p.__n=i,m=p.__d=!0,p.__h=[],p._sb=[]),D&&p.__s==null&&(p.__s=p.state),D&&M.getDerivedStateFromProps!=null&&(p.__s==p.state&&(p.__s=v({},p.__s)),v(p.__s,M.getDerivedStateFromProps(E,p.__s))),g=p.props,b=p.state,p.__v=n,m)D&&M.getDerivedStateFromProps==null&&p.componentWillMount!=null&&p.componentWillMount(),D&&p.componentDidMount!=null&&p.__h.push(p.componentDidMount);else{if(D&&M.getDerivedStateFromProps==null&&E!==g&&p.componentWillReceiveProps!=null&&p.componentWillReceiveProps(E,A),n.__v==r.__v||!p.__e&&p.shouldComponentUpdate!=null&&!1===p.shouldComponentUpdate(E,p.__s,A)){n.__v!=r.__v&&(p.props=E,p.state=p.__s,p.__d=!1),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),h.push.apply(p.__h,p._sb),p._sb=[],p.__h.length&&s.push(p),c=w(r);break e}p.componentWillUpdate!=null&&p.componentWillUpdate(E,p.__s,A),D&&p.componentDidUpdate!=null&&p.__h.push(function(){p.componentDidUpdate(g,b,x)})}if(p.context=A,p.props=E,p.__P=e,p.__e=!1,j=t.__r,ee=0,D)p.state=p.__s,p.__d=!1,j&&j(n),d=p.render(p.props,p.state,p.context),h.push.apply(p.__h,p._sb),p._sb=[];else do p.__d=!1,j&&j(n),d=p.render(p.props,p.state,p.context),p.state=p.__s;while(p.__d&&++ee<25);p.state=p.__s,p.getChildContext!=null&&(i=v(v({},i),p.getChildContext())),D&&!m&&p.getSnapshotBeforeUpdate!=null&&(x=p.getSnapshotBeforeUpdate(g,b)),te=d!=null&&d.type===S&&d.key==null?oe(d.props.children):d,c=k(e,_(te)?te:[te],n,r,i,a,o,s,c,l,u),p.base=n.__e,n.__u&=-161,p.__h.length&&s.push(p),T&&(p.__E=p.__=null)}catch(e){if(s.length=f,n.__v=null,l||o!=null){if(e.then){for(n.__u|=l?160:128;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;o!=null&&(o[o.indexOf(c)]=null),n.__e=c}else if(o!=null)for(ne=o.length;ne--;)y(o[ne])}else n.__e=r.__e;n.__k??=r.__k||[],e.then||ie(n),t.__e(e,n,r)}}else o==null&&n.__v==r.__v?(n.__k=r.__k,n.__e=r.__e):c=n.__e=se(r.__e,n,r,i,a,o,s,l,u);return(d=t.diffed)&&d(n),128&n.__u?void 0:c}function ie(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(ie))}function ae(e,n,r){for(var i=0;i<r.length;i++)ce(r[i],r[++i],r[++i]);t.__c&&t.__c(n,e),e.some(function(n){try{e=n.__h,n.__h=[],e.some(function(e){e.call(n)})}catch(e){t.__e(e,n.__v)}})}function oe(e){return typeof e!=`object`||!e||e.__b>0?e:_(e)?e.map(oe):e.constructor===void 0?v({},e):null}function se(n,r,i,a,o,s,c,l,u){var d,f,p,h,g,v,b,x=i.props||m,S=r.props,C=r.type;if(C==`svg`?o=`http://www.w3.org/2000/svg`:C==`math`?o=`http://www.w3.org/1998/Math/MathML`:o||=`http://www.w3.org/1999/xhtml`,s!=null){for(d=0;d<s.length;d++)if((g=s[d])&&`setAttribute`in g==!!C&&(C?g.localName==C:g.nodeType==3)){n=g,s[d]=null;break}}if(n==null){if(C==null)return document.createTextNode(S);n=document.createElementNS(o,C,S.is&&S),l&&=(t.__m&&t.__m(r,s),!1),s=null}if(C==null)x===S||l&&n.data==S||(n.data=S);else{if(s=C==`textarea`&&S.defaultValue!=null?null:s&&e.call(n.childNodes),!l&&s!=null)for(x={},d=0;d<n.attributes.length;d++)x[(g=n.attributes[d]).name]=g.value;for(d in x)g=x[d],d==`dangerouslySetInnerHTML`?p=g:d==`children`||d in S||d==`value`&&`defaultValue`in S||d==`checked`&&`defaultChecked`in S||ne(n,d,null,g,o);for(d in S)g=S[d],d==`children`?h=g:d==`dangerouslySetInnerHTML`?f=g:d==`value`?v=g:d==`checked`?b=g:l&&typeof g!=`function`||x[d]===g||ne(n,d,g,x[d],o);if(f)l||p&&(f.__html==p.__html||f.__html==n.innerHTML)||(n.innerHTML=f.__html),r.__k=[];else if(p&&(n.innerHTML=``),k(r.type==`template`?n.content:n,_(h)?h:[h],r,i,a,C==`foreignObject`?`http://www.w3.org/1999/xhtml`:o,s,c,s?s[0]:i.__k&&w(i,0),l,u),s!=null)for(d=s.length;d--;)y(s[d]);l&&C!=`textarea`||(d=`value`,C==`progress`&&v==null?n.removeAttribute(`value`):v!=null&&(v!==n[d]||C==`progress`&&!v||C==`option`&&v!=x[d])&&ne(n,d,v,x[d],o),d=`checked`,b!=null&&b!=n[d]&&ne(n,d,b,x[d],o))}return n}function ce(e,n,r){try{if(typeof e==`function`){var i=typeof e.__u==`function`;i&&e.__u(),i&&n==null||(e.__u=e(n))}else e.current=n}catch(e){t.__e(e,r)}}function le(e,n,r){var i,a;if(t.unmount&&t.unmount(e),(i=e.ref)&&(i.current&&i.current!=e.__e||ce(i,null,n)),(i=e.__c)!=null){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(e){t.__e(e,n)}i.base=i.__P=i.__n=null}if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&le(i[a],n,r||typeof e.type!=`function`);r||y(e.__e),e.__c=e.__=e.__e=void 0}function ue(e,t,n){return this.constructor(e,n)}function de(n,r,i){var a,o,s,c;r==document&&(r=document.documentElement),t.__&&t.__(n,r),o=(a=typeof i==`function`)?null:i&&i.__k||r.__k,s=[],c=[],re(r,n=(!a&&i||r).__k=b(S,null,[n]),o||m,m,r.namespaceURI,!a&&i?[i]:o?null:r.firstChild?e.call(r.childNodes):null,s,!a&&i?i:o?o.__e:r.firstChild,a,c),ae(s,n,c),n.props.children=null}e=h.slice,t={__e:function(e,t,n,r){for(var i,a,o;t=t.__;)if((i=t.__c)&&!i.__)try{if((a=i.constructor)&&a.getDerivedStateFromError!=null&&(i.setState(a.getDerivedStateFromError(e)),o=i.__d),i.componentDidCatch!=null&&(i.componentDidCatch(e,r||{}),o=i.__d),o)return i.__E=i}catch(t){e=t}throw e}},n=0,C.prototype.setState=function(e,t){var n=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=v({},this.state);typeof e==`function`&&(e=e(v({},n),this.props)),e&&v(n,e),e!=null&&this.__v&&(t&&this._sb.push(t),D(this))},C.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),D(this))},C.prototype.render=S,r=[],a=typeof Promise==`function`?Promise.prototype.then.bind(Promise.resolve()):setTimeout,o=function(e,t){return e.__v.__b-t.__v.__b},O.__r=0,s=Math.random().toString(8),c=`__d`+s,l=`__a`+s,u=/(PointerCapture)$|Capture$/i,d=0,f=M(!1),p=M(!0);var fe,N,pe,me,he=0,ge=[],P=t,_e=P.__b,ve=P.__r,ye=P.diffed,be=P.__c,xe=P.unmount,Se=P.__;function Ce(e,t){P.__h&&P.__h(N,e,he||t),he=0;var n=N.__H||(N.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function F(e){return he=1,we(Pe,e)}function we(e,t,n){var r=Ce(fe++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Pe(void 0,t),function(e){var t=r.__N?r.__N[0]:r.__[0],n=r.t(t,e);t!==n&&(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=N,!N.__f)){var i=function(e,t,n){if(!r.__c.__H)return!0;var i=!1,o=r.__c.props!==e;if(r.__c.__H.__.some(function(e){if(e.__N){i=!0;var t=e.__[0];e.__=e.__N,e.__N=void 0,t!==e.__[0]&&(o=!0)}}),a){var s=a.call(this,e,t,n);return i?s||o:s}return!i||o};N.__f=!0;var a=N.shouldComponentUpdate,o=N.componentWillUpdate;N.componentWillUpdate=function(e,t,n){if(this.__e){var r=a;a=void 0,i(e,t,n),a=r}o&&o.call(this,e,t,n)},N.shouldComponentUpdate=i}return r.__N||r.__}function I(e,t){var n=Ce(fe++,3);!P.__s&&Ne(n.__H,t)&&(n.__=e,n.u=t,N.__H.__h.push(n))}function Te(e){return he=5,Ee(function(){return{current:e}},[])}function Ee(e,t){var n=Ce(fe++,7);return Ne(n.__H,t)&&(n.__=e(),n.__H=t,n.__h=e),n.__}function De(e,t){return he=8,Ee(function(){return e},t)}function Oe(){for(var e;e=ge.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(je),t.__h.some(Me),t.__h=[]}catch(n){t.__h=[],P.__e(n,e.__v)}}}P.__b=function(e){N=null,_e&&_e(e)},P.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Se&&Se(e,t)},P.__r=function(e){ve&&ve(e),fe=0;var t=(N=e.__c).__H;t&&(pe===N?(t.__h=[],N.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})):(t.__h.some(je),t.__h.some(Me),t.__h=[],fe=0)),pe=N},P.diffed=function(e){ye&&ye(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(ge.push(t)!==1&&me===P.requestAnimationFrame||((me=P.requestAnimationFrame)||Ae)(Oe)),t.__H.__.some(function(e){e.u&&=(e.__H=e.u,void 0)})),pe=N=null},P.__c=function(e,t){t.some(function(e){try{e.__h.some(je),e.__h=e.__h.filter(function(e){return!e.__||Me(e)})}catch(n){t.some(function(e){e.__h&&=[]}),t=[],P.__e(n,e.__v)}}),be&&be(e,t)},P.unmount=function(e){xe&&xe(e);var t,n=e.__c;n&&n.__H&&(n.__H.__.some(function(e){try{je(e)}catch(e){t=e}}),n.__H=void 0,t&&P.__e(t,n.__v))};var ke=typeof requestAnimationFrame==`function`;function Ae(e){var t,n=function(){clearTimeout(r),ke&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);ke&&(t=requestAnimationFrame(n))}function je(e){var t=N,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),N=t}function Me(e){var t=N;e.__c=e.__(),N=t}function Ne(e,t){return!e||e.length!==t.length||t.some(function(t,n){return t!==e[n]})}function Pe(e,t){return typeof t==`function`?t(e):t}var Fe=new Intl.NumberFormat(`en-US`);function L(e){return Fe.format(e)}var Ie=[`bytes`,`KiB`,`MiB`,`GiB`,`TiB`,`PiB`];function Le(e){let t=e,n=0;for(;Math.abs(t)>=1024&&n<Ie.length-1;)t/=1024,n++;return n===0?`${Fe.format(e)} ${e===1?`byte`:`bytes`}`:`${new Intl.NumberFormat(`en-US`,{maximumFractionDigits:1}).format(t)} ${Ie[n]}`}function R(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toLocaleDateString(`en-GB`,{year:`numeric`,month:`short`,day:`numeric`})}function z(e){return e?`${e.amount} ${e.currency}`:`—`}var Re={UNAUTHENTICATED:`Your sign-in is missing or has expired. Sign in again.`,FORBIDDEN:`Your role in this organization does not allow this.`,NOT_FOUND:`Not found, or you are not a member of this organization.`,INVALID_INPUT:`Something in the form is not valid.`,INSUFFICIENT_CREDITS:`The organization does not have enough credits for this.`,ORG_SUSPENDED:`This organization is suspended: reading works, spending does not.`,CONFLICT:`This was changed at the same time by someone else, or repeated with different details. Reload and try again.`,PAYMENT_FAILED:`The payment did not go through.`,GATEWAY_UNAVAILABLE:`The payment provider could not be reached. Try again in a moment.`,RATE_LIMITED:`Too many requests. Wait a moment and try again.`,USAGE_LIMIT_EXCEEDED:`The plan's usage limit is reached.`,UNAVAILABLE:`The service is briefly unavailable. Try again in a moment.`,INTERNAL:`Something went wrong on the server.`};function B(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function ze(e){return B(e)===`object`}function Be(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function Ve(e,t){return e.length<124?e:t}var V=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(V||{}),H=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(H||{});function He(e){if(!ze(e))throw Error(`Message is expected to be an object, but got ${B(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${B(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${B(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${B(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${B(e.payload.query)}`);if(e.payload.variables!=null&&!ze(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${B(e.payload.variables)}`);if(e.payload.operationName!=null&&B(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${B(e.payload.operationName)}`);if(e.payload.extensions!=null&&!ze(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${B(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${B(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ze(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${B(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${B(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Be(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${B(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function Ue(e,t){return He(typeof e==`string`?JSON.parse(e,t):e)}function We(e,t){return He(e),JSON.stringify(e,t)}function Ge(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=qe,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!Ye(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function D(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(We({type:H.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof Ke&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(We(e?{type:H.ConnectionInit,payload:e}:{type:H.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(V.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(V.InternalClientError,Ve(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=Ue(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(We(n.payload?{type:H.Pong,payload:n.payload}:{type:H.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==H.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(V.BadResponse,Ve(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function O(e){if(qe(e)&&(Je(e.code)||[V.InternalServerError,V.InternalClientError,V.BadRequest,V.BadResponse,V.Unauthorized,V.SubprotocolNotAcceptable,V.SubscriberAlreadyExists,V.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(qe(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await D();await e}catch(e){try{if(!O(e))return}catch(e){return i?.(e)}}})();function k(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await D();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case H.Next:t.next(e.payload);return;case H.Error:i=!0,r=!0,t.error(e.payload),a();return;case H.Complete:r=!0,a();return}});o.send(We({id:n,type:H.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(We({id:n,type:H.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!O(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:k,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=k(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new Ke)}}}var Ke=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function qe(e){return ze(e)&&`code`in e&&`reason`in e}function Je(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function Ye(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}var Xe=[`UNAUTHENTICATED`,`FORBIDDEN`,`NOT_FOUND`,`INVALID_INPUT`,`INSUFFICIENT_CREDITS`,`ORG_SUSPENDED`,`CONFLICT`,`PAYMENT_FAILED`,`GATEWAY_UNAVAILABLE`,`RATE_LIMITED`,`USAGE_LIMIT_EXCEEDED`,`UNAVAILABLE`,`INTERNAL`];function Ze(e){return typeof e==`string`&&Xe.includes(e)}var U=class extends Error{code;field;retryAfter;status;errors;constructor(e){super(e.message,e.cause===void 0?void 0:{cause:e.cause}),this.name=`TallyError`,this.code=e.code,this.field=e.field,this.retryAfter=e.retryAfter,this.status=e.status,this.errors=e.errors??[]}get retryable(){return this.code===`RATE_LIMITED`||this.code===`UNAVAILABLE`||this.code===`GATEWAY_UNAVAILABLE`}};function Qe(e,t={}){let n=e[0]??{message:`the server answered with an empty error list`},r=n.extensions??{},i=Ze(r.code)?r.code:`INTERNAL`,a=$e(r.retryAfter);return a===void 0&&t.retryAfterHeader&&(a=$e(t.retryAfterHeader)),new U({code:i,message:n.message,field:typeof r.field==`string`?r.field:void 0,retryAfter:a,status:t.status,errors:[...e]})}function $e(e){if(typeof e==`number`&&Number.isFinite(e)&&e>=0)return e;if(typeof e==`string`&&/^\d+(\.\d+)?$/.test(e.trim()))return Number(e)}function et(e){switch(e){case 4400:return`INVALID_INPUT`;case 4401:return`UNAUTHENTICATED`;case 4403:return`FORBIDDEN`;case 4429:return`RATE_LIMITED`;default:return}}function W(e){if(e instanceof U)return e;if(Array.isArray(e)&&e.length>0&&typeof e[0]?.message==`string`)return Qe(e);if(e&&typeof e==`object`&&typeof e.code==`number`){let t=e;return new U({code:et(t.code)??`UNAVAILABLE`,message:t.reason||`the websocket closed (${t.code})`,cause:e})}return new U({code:`INTERNAL`,message:e instanceof Error?e.message:String(e),cause:e})}function tt(e){let t=e?.trim();if(t)return/^bearer\s/i.test(t)?t:`Bearer ${t}`}function nt(e){return typeof e==`function`?e():e}function rt(e,t){let n=new URL(e,t??(typeof location<`u`?location.href:void 0));return n.protocol=n.protocol===`https:`?`wss:`:`ws:`,n.toString()}function it(e){let t,n={...e},r=()=>(t||=Ge({url:n.wsUrl??rt(n.url),webSocketImpl:n.webSocketImpl,lazy:!0,connectionParams:()=>{let e=tt(nt(n.token));return e?{authorization:e}:{}},shouldRetry:e=>{let t=e?.code;return!(typeof t==`number`&&t>=4400&&t<4500)},retryAttempts:5}),t);return{options:n,async request(e,t,r){let i=n.fetch??globalThis.fetch,a={"Content-Type":`application/json`,Accept:`application/json`},o=tt(nt(n.token));o&&(a.Authorization=o);let s;try{s=await i(n.url,{method:`POST`,headers:a,body:JSON.stringify({query:e.toString(),variables:t??{}}),signal:r?.signal})}catch(e){throw e?.name===`AbortError`?e:new U({code:`UNAVAILABLE`,message:`could not reach the server`,cause:e})}let c;try{c=await s.json()}catch(e){throw new U({code:s.status===429?`RATE_LIMITED`:s.status>=500?`UNAVAILABLE`:`INTERNAL`,message:`the server answered ${s.status} without a GraphQL body`,status:s.status,retryAfter:at(s),cause:e})}if(c?.errors&&c.errors.length>0)throw Qe(c.errors,{status:s.status,retryAfterHeader:s.headers.get(`Retry-After`)});if(!s.ok||c?.data==null)throw new U({code:`INTERNAL`,message:`the server answered ${s.status} without data`,status:s.status});return c.data},subscribe(e,t,n){return r().subscribe({query:e.toString(),variables:t},{next:e=>{e.errors&&e.errors.length>0?n.error?.(Qe(e.errors)):e.data!=null&&n.next(e.data)},error:e=>n.error?.(W(e)),complete:()=>n.complete?.()})},onSocket(e){let t=r(),n=[t.on(`connected`,()=>e(`connected`)),t.on(`closed`,()=>e(`closed`))];return()=>n.forEach(e=>e())},withToken(e){return it({...n,token:e})},dispose(){t?.dispose(),t=void 0}}}function at(e){let t=e.headers.get(`Retry-After`);return t&&/^\d+$/.test(t)?Number(t):void 0}async function ot(e,t={}){if(!e||e.kind===`NONE`)return{kind:`none`};switch(e.kind){case`REDIRECT`:{let n=e.redirectUrl;if(!n)throw new U({code:`INVALID_INPUT`,message:`the next action is a redirect without a URL`});return(t.navigate??(e=>window.location.assign(e)))(n),{kind:`redirected`,url:n}}case`CONFIRM`:{let n=e.clientSecret;if(!n)throw new U({code:`INVALID_INPUT`,message:`the next action is a confirmation without a client secret`});if(!t.confirm)throw new U({code:`INVALID_INPUT`,message:`this payment must be confirmed with the gateway's script (Stripe.js): pass confirm to resumeCheckout`});return await t.confirm(n),{kind:`confirmed`}}}throw new U({code:`INVALID_INPUT`,message:`unknown next action ${String(e.kind)}`})}var G=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},st=new G(`
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
    `,{fragmentName:`BalanceFields`}),ct=new G(`
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
    `,{fragmentName:`SubscriptionCheckoutFields`}),lt=new G(`
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}
    `,{fragmentName:`CartOrder`}),ut=new G(`
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
    `,{fragmentName:`WatchedOrder`}),dt={"\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n":new G(`
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
    `),"\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n":st,"\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n":new G(`
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
}`),"\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      recurringMonths\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n":new G(`
    query BillingPacks($currency: Currency!) {
  packs(currency: $currency) {
    id
    code
    name
    credits
    custom
    validity
    recurringMonths
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
    `),"\n  query BillingTopUpOptions($currency: Currency!) {\n    topUpOptions(currency: $currency) {\n      credits\n      per { amount currency }\n      presets { amount amountMinor currency }\n      min { amount amountMinor currency }\n      max { amount amountMinor currency }\n      validity\n      rounding\n    }\n  }\n":new G(`
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
    `),"\n  query BillingTopUpQuote($orgId: ID!, $amount: String!) {\n    topUpQuote(orgId: $orgId, amount: $amount) {\n      credits\n      rounding\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      taxRateBasisPoints\n      total { amount currency }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingTopUp($input: TopUpInput!) {\n    topUp(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n":new G(`
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
    `),"\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }\n      }\n    }\n  }\n":new G(`
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
          lines {
            description
            amount {
              amount
              currency
            }
          }
        }
      }
    }
  }
}
    `),"\n  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {\n    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }\n  }\n":new G(`
    query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {
  installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) {
    count
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
    `),"\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }\n      subscription {\n        id\n        status\n        seats\n        autoRenew\n        scheduledChange { seats effectiveAt plan { id name } }\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n":new G(`
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
      extraCredits
      metrics {
        metric
        quantity
        limit
        limitFromExtraCredits
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
    `),"\n  subscription BillingSubscriptionUpdated($orgId: ID!) {\n    subscriptionUpdated(orgId: $orgId) { id status seats }\n  }\n":new G(`
    subscription BillingSubscriptionUpdated($orgId: ID!) {
  subscriptionUpdated(orgId: $orgId) {
    id
    status
    seats
  }
}
    `),"\n  query BillingPlans($currency: Currency!) {\n    plans(currency: $currency) {\n      id\n      code\n      name\n      interval\n      includedCreditsPerSeat\n      price(currency: $currency) { amount currency }\n    }\n  }\n":new G(`
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
    `),"\n  query BillingPreviewChange($input: PreviewChangeInput!) {\n    previewChange(input: $input) {\n      kind\n      immediate\n      effectiveAt\n      seats\n      plan { id name }\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      total { amount currency }\n      credits\n      renewal { amount currency }\n    }\n  }\n":new G(`
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
    `),"\n  fragment SubscriptionCheckoutFields on SubscriptionCheckout {\n    subscription { id status seats plan { id name } }\n    order { id number status failureReason credits total { amount currency } }\n    nextAction { kind redirectUrl clientSecret }\n  }\n":ct,"\n  mutation BillingSubscribe($input: SubscribeInput!) {\n    subscribe(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new G(`
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
}`),"\n  mutation BillingChangePlan($input: ChangePlanInput!) {\n    changePlan(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new G(`
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
}`),"\n  mutation BillingChangeSeats($input: ChangeSeatsInput!) {\n    changeSeats(input: $input) { ...SubscriptionCheckoutFields }\n  }\n":new G(`
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
}`),"\n  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {\n    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n":new G(`
    mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
  cancelSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `),"\n  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {\n    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n":new G(`
    mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
  resumeSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `),"\n  query BillingPaymentMethods($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }\n    }\n  }\n":new G(`
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
    `),"\n  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {\n    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }\n  }\n":new G(`
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
    `),"\n  mutation BillingSetDefaultPaymentMethod($id: ID!) {\n    setDefaultPaymentMethod(id: $id) { id isDefault }\n  }\n":new G(`
    mutation BillingSetDefaultPaymentMethod($id: ID!) {
  setDefaultPaymentMethod(id: $id) {
    id
    isDefault
  }
}
    `),"\n  mutation BillingRemovePaymentMethod($id: ID!) {\n    removePaymentMethod(id: $id) { paymentMethod { id status } }\n  }\n":new G(`
    mutation BillingRemovePaymentMethod($id: ID!) {
  removePaymentMethod(id: $id) {
    paymentMethod {
      id
      status
    }
  }
}
    `),"\n  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {\n    setAutoRecharge(input: $input) { enabled threshold quantity }\n  }\n":new G(`
    mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
  setAutoRecharge(input: $input) {
    enabled
    threshold
    quantity
  }
}
    `),"\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { id name }\n        paymentMethod { id brand last4 }\n      }\n    }\n  }\n":new G(`
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
    `),"\n  fragment CartOrder on Order {\n    id\n    number\n    status\n    version\n    credits\n    subtotal { amount currency }\n    tax { amount currency }\n    total { amount currency }\n    installments { count installmentAmount { amount currency } commission { amount currency } }\n    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }\n    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }\n  }\n":lt,"\n  query CartDrafts($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }\n    }\n  }\n":new G(`
    query CartDrafts($orgId: ID!) {
  org(id: $orgId) {
    id
    orders(first: 10, status: [DRAFT]) {
      edges {
        node {
          ...CartOrder
          createdAt
        }
      }
    }
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  query CartOrder($id: ID!) {\n    order(id: $id) { ...CartOrder }\n  }\n":new G(`
    query CartOrder($id: ID!) {
  order(id: $id) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  mutation CartCreate($input: CreateOrderInput!) {\n    createOrder(input: $input) { ...CartOrder }\n  }\n":new G(`
    mutation CartCreate($input: CreateOrderInput!) {
  createOrder(input: $input) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {\n    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }\n  }\n":new G(`
    mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {
  addOrderItem(orderId: $orderId, item: $item) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {\n    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }\n  }\n":new G(`
    mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {
  setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {\n    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }\n  }\n":new G(`
    mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {
  removeOrderItem(orderId: $orderId, itemId: $itemId) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
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
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`),"\n  mutation CartDiscard($orderId: ID!) {\n    cancelOrder(orderId: $orderId) { id status }\n  }\n":new G(`
    mutation CartDiscard($orderId: ID!) {
  cancelOrder(orderId: $orderId) {
    id
    status
  }
}
    `),"\n  mutation CartCheckout($input: CheckoutOrderInput!) {\n    checkoutOrder(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n":new G(`
    mutation CartCheckout($input: CheckoutOrderInput!) {
  checkoutOrder(input: $input) {
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
    `),"\n  fragment WatchedOrder on Order {\n    id\n    number\n    status\n    failureReason\n    credits\n    total { amount currency }\n    invoice { id number pdfUrl }\n  }\n":ut,"\n  query WatchOrder($id: ID!) {\n    order(id: $id) { ...WatchedOrder }\n  }\n":new G(`
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
}`),"\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) { ...WatchedOrder }\n  }\n":new G(`
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
}`)};function K(e){return dt[e]??{}}K(`
  fragment WatchedOrder on Order {
    id
    number
    status
    failureReason
    credits
    total { amount currency }
    invoice { id number pdfUrl }
  }
`);var ft=K(`
  query WatchOrder($id: ID!) {
    order(id: $id) { ...WatchedOrder }
  }
`),pt=K(`
  subscription WatchOrderUpdates($orgId: ID!) {
    orderUpdated(orgId: $orgId) { ...WatchedOrder }
  }
`),mt=[`PAID`,`PARTIALLY_REFUNDED`,`REFUNDED`],ht=[`FAILED`,`CANCELED`],gt=class extends U{order;constructor(e){super({code:`PAYMENT_FAILED`,message:e.status===`CANCELED`?`order ${e.number} was canceled`:`order ${e.number} failed${e.failureReason?`: ${e.failureReason}`:``}`}),this.name=`OrderNotPaidError`,this.order=e}};function _t(e,t){return new Promise((n,r)=>{let i=!1,a,o,s=e=>{i||(i=!0,o?.(),a!==void 0&&clearInterval(a),t.signal?.removeEventListener(`abort`,c),e())},c=()=>s(()=>r(t.signal?.reason??new DOMException(`aborted`,`AbortError`))),l=e=>{!i&&e&&e.id===t.orderId&&(t.onUpdate?.(e),mt.includes(e.status)?s(()=>n(e)):ht.includes(e.status)&&s(()=>r(new gt(e))))},u=()=>e.request(ft,{id:t.orderId}).then(e=>{e.order?l(e.order):s(()=>r(new U({code:`NOT_FOUND`,message:`the order does not exist`})))},e=>{let t=W(e);t.retryable||s(()=>r(t))});if(t.signal?.aborted)return c();t.signal?.addEventListener(`abort`,c),o=e.subscribe(pt,{orgId:t.orgId},{next:e=>l(e.orderUpdated),error:e=>{e.retryable||s(()=>r(e))}}),i&&o(),u();let d=t.pollInterval??1e4;d>0&&!i&&(a=setInterval(()=>void u(),d))})}function vt(e,t=2){let n=e.trim(),r=/^(\d+)(?:\.(\d*))?$/.exec(n);if(!r||n.includes(`.`)&&!r[2])return{ok:!1,reason:`Type an amount such as 50 or 50.00.`};let i=r[2]??``;if(i.length>t)return{ok:!1,reason:`At most ${t} decimals.`};let a=r[1].replace(/^0+(?=\d)/,``),o=a+i.padEnd(t,`0`),s=Number(o);return Number.isSafeInteger(s)?{ok:!0,minor:s,decimal:t===0?a:`${a}.${i.padEnd(t,`0`)}`}:{ok:!1,reason:`That amount is too large.`}}K(`
  fragment CartOrder on Order {
    id
    number
    status
    version
    credits
    subtotal { amount currency }
    tax { amount currency }
    total { amount currency }
    installments { count installmentAmount { amount currency } commission { amount currency } }
    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }
    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }
  }
`);var yt=K(`
  query CartDrafts($orgId: ID!) {
    org(id: $orgId) {
      id
      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }
    }
  }
`),bt=K(`
  query CartOrder($id: ID!) {
    order(id: $id) { ...CartOrder }
  }
`),xt=K(`
  mutation CartCreate($input: CreateOrderInput!) {
    createOrder(input: $input) { ...CartOrder }
  }
`),St=K(`
  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {
    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }
  }
`),Ct=K(`
  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {
    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }
  }
`),wt=K(`
  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {
    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }
  }
`),Tt=K(`
  mutation CartDiscard($orderId: ID!) {
    cancelOrder(orderId: $orderId) { id status }
  }
`),Et=K(`
  mutation CartCheckout($input: CheckoutOrderInput!) {
    checkoutOrder(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`);async function Dt(e,t,n){let r=((await e.request(yt,{orgId:t},n)).org?.orders.edges??[]).map(e=>e.node).filter(e=>e.status===`DRAFT`);return r.sort((e,t)=>e.createdAt<t.createdAt?1:e.createdAt>t.createdAt?-1:0),r[0]}async function Ot(e,t){if(t.draftId)try{return(await e.request(St,{orderId:t.draftId,item:t.item})).addOrderItem}catch(e){let t=W(e);if(t.code!==`CONFLICT`&&t.code!==`NOT_FOUND`)throw t}let n={orgId:t.orgId,items:[t.item],...t.installments&&t.installments>1?{installments:t.installments}:{}};return(await e.request(xt,{input:n})).createOrder}function kt(e){let t={kind:e.kind,quantity:e.quantity};return e.kind===`PLAN`&&(t.planId=e.planId),(e.kind===`PLAN`||e.kind===`SEATS`)&&(t.seats=e.seats),e.kind===`PACK`&&(t.packId=e.packId,e.termMonths!=null&&(t.termMonths=e.termMonths),e.amount!=null&&(t.credits=e.amount)),e.kind===`EXTRA_CREDITS`&&(t.credits=e.amount),t}async function At(e,t,n,r){let i=(await e.request(xt,{input:{orgId:t,items:n.items.map(kt),installments:r}})).createOrder;return await e.request(Tt,{orderId:n.id}).catch(()=>void 0),i}function jt(e,t){let n=e.startsWith(`-`),[r,i=``]=e.replace(/^-/,``).split(`.`),a=BigInt(r||`0`)*10n**BigInt(t)+BigInt((i+`0`.repeat(t)).slice(0,t)||`0`);return n?-a:a}function Mt(e,t){let n=e<0n,r=(n?-e:e).toString().padStart(t+1,`0`),i=t?`${r.slice(0,-t)}.${r.slice(-t)}`:r;return n?`-${i}`:i}function Nt(e){return e.items.map(t=>{let n=e.lines.filter(e=>e.itemId===t.id),r=n[0]?.amount.currency??e.subtotal.currency,i=Math.max(0,...n.map(e=>e.amount.amount.split(`.`)[1]?.length??0),e.subtotal.amount.split(`.`)[1]?.length??0),a=n.reduce((e,t)=>e+jt(t.amount.amount,i),0n);return{item:t,description:n.map(e=>e.description).join(`; `)||t.kind,price:{amount:Mt(a,i),currency:r}}})}async function Pt(e,t){return(await e.request(Et,{input:t})).checkoutOrder}async function Ft(e,t,n={}){let{idempotencyKey:r,...i}=n,a={...i,orderId:t.id,version:t.version,idempotencyKey:r??crypto.randomUUID()};try{return{kind:`started`,checkout:await Pt(e,a)}}catch(n){let r=W(n);if(r.code!==`CONFLICT`)throw r;return{kind:`conflict`,draft:(await e.request(bt,{id:t.id}).catch(()=>void 0))?.order??void 0,message:r.message}}}function q(e,t,n,r){let[i,a]=F({loading:!0}),[o,s]=F(0),c=Te(n);c.current=n,I(()=>{let n=new AbortController;return a(e=>({data:e.data,loading:!0})),e.request(t,c.current,{signal:n.signal}).then(e=>!n.signal.aborted&&a({data:e,loading:!1}),e=>!n.signal.aborted&&a({error:W(e),loading:!1})),()=>n.abort()},[e,t,r,o]);let l=De(()=>s(e=>e+1),[]);return{...i,reload:l}}function J(e,t){let[n,r]=F({busy:!1}),i=De(async n=>{r({busy:!0});try{let i=await e.request(t,n);return r({data:i,busy:!1}),i}catch(e){r({error:W(e),busy:!1});return}},[e,t]),a=De(()=>r({busy:!1}),[]);return{...n,run:i,reset:a}}var It=K(`
  query BillingViewer {
    viewer {
      user { id email name }
      memberships { role org { id name currency country status } }
    }
  }
`),Lt=K(`
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
`);var Rt=K(`
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
`),zt=K(`
  subscription BillingBalanceUpdated($orgId: ID!) {
    balanceUpdated(orgId: $orgId) {
      balance { ...BalanceFields }
      entry { id kind amount reason }
    }
  }
`),Bt=K(`
  query BillingPacks($currency: Currency!) {
    packs(currency: $currency) {
      id
      code
      name
      credits
      custom
      validity
      recurringMonths
      price(currency: $currency) { amount amountMinor currency }
    }
  }
`),Vt=K(`
  mutation BillingPurchase($input: PurchasePackInput!) {
    purchasePack(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`),Ht=K(`
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
`),Ut=K(`
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
`),Wt=K(`
  mutation BillingTopUp($input: TopUpInput!) {
    topUp(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`),Gt=K(`
  query BillingOrders($orgId: ID!) {
    org(id: $orgId) {
      id
      orders(first: 50) {
        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }
      }
      invoices(first: 50) {
        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }
      }
    }
  }
`),Kt=K(`
  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {
    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }
  }
`),qt=K(`
  mutation BillingCancelOrder($id: ID!) {
    cancelOrder(orderId: $id) { id status }
  }
`),Jt=K(`
  query BillingMembers($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      members(first: 100) { edges { node { role createdAt user { id email name } } } }
    }
  }
`),Yt=K(`
  query BillingInvitations($orgId: ID!) {
    org(id: $orgId) {
      id
      invitations { id email role expiresAt acceptedAt revokedAt }
    }
  }
`),Xt=K(`
  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }
  }
`),Zt=K(`
  mutation BillingRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) { invitation { id revokedAt } }
  }
`),Qt=K(`
  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }
  }
`),$t=K(`
  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
    removeMember(orgId: $orgId, userId: $userId) { userId }
  }
`),en=K(`
  query BillingApiKeys($orgId: ID!) {
    org(id: $orgId) {
      id
      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }
    }
  }
`),tn=K(`
  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }
  }
`),nn=K(`
  mutation BillingRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { apiKey { id revokedAt } }
  }
`),rn=K(`
  query BillingPlan($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }
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
`),an=K(`
  subscription BillingSubscriptionUpdated($orgId: ID!) {
    subscriptionUpdated(orgId: $orgId) { id status seats }
  }
`),on=K(`
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
`),sn=K(`
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
`);K(`
  fragment SubscriptionCheckoutFields on SubscriptionCheckout {
    subscription { id status seats plan { id name } }
    order { id number status failureReason credits total { amount currency } }
    nextAction { kind redirectUrl clientSecret }
  }
`);var cn=K(`
  mutation BillingSubscribe($input: SubscribeInput!) {
    subscribe(input: $input) { ...SubscriptionCheckoutFields }
  }
`),ln=K(`
  mutation BillingChangePlan($input: ChangePlanInput!) {
    changePlan(input: $input) { ...SubscriptionCheckoutFields }
  }
`),un=K(`
  mutation BillingChangeSeats($input: ChangeSeatsInput!) {
    changeSeats(input: $input) { ...SubscriptionCheckoutFields }
  }
`),dn=K(`
  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`),fn=K(`
  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`),pn=K(`
  query BillingPaymentMethods($orgId: ID!) {
    org(id: $orgId) {
      id
      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }
    }
  }
`),mn=K(`
  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }
  }
`),hn=K(`
  mutation BillingSetDefaultPaymentMethod($id: ID!) {
    setDefaultPaymentMethod(id: $id) { id isDefault }
  }
`),gn=K(`
  mutation BillingRemovePaymentMethod($id: ID!) {
    removePaymentMethod(id: $id) { paymentMethod { id status } }
  }
`),_n=K(`
  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
    setAutoRecharge(input: $input) { enabled threshold quantity }
  }
`),vn=K(`
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
`),yn=K(`
  mutation BillingAcceptInvitation($token: String!) {
    acceptInvitation(token: $token) { membership { role org { id name } } }
  }
`),bn=K(`
  mutation BillingSpend($input: ConsumeCreditsInput!) {
    consumeCredits(input: $input) { entry { id amount balanceAfter } }
  }
`),xn=0;Array.isArray;function Y(e,n,r,i,a,o){n||={};var s,c,l=n;if(`ref`in l)for(c in l={},n)c==`ref`?s=n[c]:l[c]=n[c];var u={type:e,props:l,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--xn,__i:-1,__u:0,__source:a,__self:o};if(typeof e==`function`&&(s=e.defaultProps))for(c in s)l[c]===void 0&&(l[c]=s[c]);return t.vnode&&t.vnode(u),u}function X({error:e,title:t}){return Y(`div`,{class:`notice notice-error`,role:`alert`,"data-code":e.code,children:[Y(`p`,{children:Y(`strong`,{children:t??Re[e.code]})}),Y(`p`,{children:[e.message,e.field?` (field: ${e.field})`:``,e.retryAfter===void 0?``:` Retry in ${e.retryAfter} s.`]}),Y(`p`,{class:`muted`,children:[`Code: `,Y(`code`,{children:e.code})]})]})}function Z({what:e}){return Y(`p`,{class:`muted`,role:`status`,"aria-live":`polite`,children:[`Loading `,e,`…`]})}function Q({children:e}){return Y(`p`,{class:`empty`,children:e})}function $({title:e,id:t,children:n,live:r}){return Y(`section`,{"aria-labelledby":t,class:`card`,"data-live":r,children:[Y(`h2`,{id:t,children:e}),n]})}function Sn({client:e,orgId:t,rights:n}){return n.canManage?Y(Cn,{client:e,orgId:t}):Y($,{title:`API keys`,id:`keys-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,n.role,`, may not manage API keys.`]})}),Y(`p`,{children:`API keys are managed by the OWNER and ADMIN roles.`})]})})}function Cn({client:e,orgId:t}){let n=q(e,en,{orgId:t},t),r=J(e,tn),i=J(e,nn),[a,o]=F(``);if(n.loading&&!n.data)return Y(Z,{what:`API keys`});if(n.error)return Y(X,{error:n.error});let s=(n.data?.org?.apiKeys??[]).filter(e=>!e.revokedAt);return Y($,{title:`API keys`,id:`keys-h`,children:[Y(`p`,{class:`muted`,children:`A key lets your backend read the balance, spend credits and report usage for this organization.`}),Y(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await r.run({orgId:t,name:a})&&(o(``),n.reload())},children:[Y(`label`,{for:`key-name`,children:`Key name`}),Y(`input`,{id:`key-name`,required:!0,maxLength:100,value:a,onInput:e=>o(e.currentTarget.value)}),Y(`button`,{type:`submit`,disabled:r.busy,children:`Create key`})]}),r.error&&Y(X,{error:r.error}),r.data&&Y(`div`,{class:`notice notice-ok`,role:`status`,children:[Y(`p`,{children:[`Key “`,r.data.createApiKey.apiKey.name,`” created. Copy its secret now: it is not shown again.`]}),Y(`code`,{class:`secret`,"data-testid":`api-key-secret`,children:r.data.createApiKey.secret})]}),i.error&&Y(X,{error:i.error}),s.length===0?Y(Q,{children:`No API keys.`}):Y(`ul`,{class:`list`,children:s.map(e=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:e.name}),` `,Y(`code`,{children:[e.prefix,`…`]}),` `,Y(`span`,{class:`muted`,children:[`created `,R(e.createdAt),`, last used `,R(e.lastUsedAt)]})]}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the key ${e.name}`,disabled:i.busy,onClick:async()=>{confirm(`Revoke the key ${e.name}? Requests with it fail at once.`)&&await i.run({id:e.id})&&n.reload()},children:`Revoke`})]},e.id))})]})}var wn={FREE:`Sign-up gift`,PROMO:`Promotion`,SUBSCRIPTION:`Plan credits`,PURCHASED:`Bought pack`,AUTO_RECHARGE:`Auto-recharge`,ADJUSTMENT:`Adjustment`};function Tn({balance:e,live:t,last:n}){return Y($,{title:`Credit balance`,id:`balance-h`,live:t?`subscribed`:`connecting`,children:[Y(`div`,{class:`chips`,children:[Y(`div`,{class:`chip chip-free`,"data-testid":`chip-free`,children:[Y(`span`,{class:`chip-label`,children:`Free`}),Y(`span`,{class:`chip-value`,children:L(e.free)})]}),Y(`div`,{class:`chip chip-paid`,"data-testid":`chip-paid`,children:[Y(`span`,{class:`chip-label`,children:`Paid`}),Y(`span`,{class:`chip-value`,children:L(e.paid)})]})]}),Y(`p`,{class:`muted`,role:`status`,children:[t?`Live: changes appear here as they happen.`:`Connecting for live updates…`,n?` Last change: ${n}.`:``]}),Y(`h3`,{children:`Grants, in spending order`}),e.grants.length===0?Y(Q,{children:`No credits left. Buy a pack to add some.`}):Y(`div`,{class:`tablewrap`,children:Y(`table`,{children:[Y(`caption`,{class:`sr-only`,children:`Credit grants with credits left`}),Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,children:`Kind`}),Y(`th`,{scope:`col`,children:`Chip`}),Y(`th`,{scope:`col`,class:`num`,children:`Remaining`}),Y(`th`,{scope:`col`,class:`num`,children:`Of`}),Y(`th`,{scope:`col`,children:`Expires`})]})}),Y(`tbody`,{children:e.grants.map(e=>Y(`tr`,{children:[Y(`td`,{children:wn[e.kind]}),Y(`td`,{children:e.paid?`Paid`:`Free`}),Y(`td`,{class:`num`,children:L(e.remaining)}),Y(`td`,{class:`num`,children:L(e.amount)}),Y(`td`,{children:e.expiresAt?R(e.expiresAt):`Never`})]},e.id))})]})})]})}async function En(e,t){let{order:n,nextAction:r}=e;if(n.status===`FAILED`||n.status===`CANCELED`)return t.failed(new gt(n)),`failed`;if(n.status===`PAID`)return t.paid(n),`paid`;if(r?.kind===`REDIRECT`&&r.redirectUrl)return await t.redirect(r.redirectUrl,n),`redirect`;try{await ot(r,t.resume)}catch(e){return t.failed(W(e)),`failed`}return t.watch(n),`watch`}function Dn({phase:e,paidTestId:t,children:n}){return Y(`div`,{"aria-live":`polite`,class:`outcome`,children:[e.kind===`redirecting`&&Y(`p`,{role:`status`,children:`Taking you to the payment page to confirm…`}),e.kind===`action`&&Y(`div`,{class:`notice notice-info`,role:`status`,children:[Y(`p`,{children:[`Order `,e.order.number,` needs you to confirm the payment.`]}),Y(`p`,{children:[Y(`a`,{href:e.url,target:`_blank`,rel:`noopener`,children:`Open the confirm page`}),` `,`(a new tab); this page updates when the order is paid.`]})]}),e.kind===`waiting`&&Y(`p`,{role:`status`,children:[`Order `,e.order.number,` is `,e.order.status.toLowerCase().replace(`_`,` `),`: waiting for the payment…`]}),e.kind===`paid`&&Y(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":t,children:[Y(`p`,{children:[Y(`strong`,{children:`Paid.`}),` Order `,e.order.number,` added `,L(e.order.credits),` credits`,e.order.invoice?`; invoice ${e.order.invoice.number} is under Orders & invoices`:``,`.`]}),n]}),e.kind===`failed`&&Y(X,{error:e.error,title:e.error.code===`PAYMENT_FAILED`?`The payment was declined. No credits were added and nothing was charged.`:void 0})]})}var On=`tally:cart-changed`;async function kn(e,t,n){let r=await Ot(e,{orgId:t,draftId:(await Dt(e,t))?.id,item:n});return dispatchEvent(new Event(On)),r}var An=`tally.billing.token`,jn=`tally.billing.org`,Mn=`tally.billing.pendingOrder`,Nn=`tally.billing.pendingCartOrder`,Pn=`tally:balance-stale`,Fn=`/graphql`,In=`/billing/dev/token`;function Ln(){return sessionStorage.getItem(An)??void 0}function Rn(e){e?sessionStorage.setItem(An,e):sessionStorage.removeItem(An)}function zn(){return sessionStorage.getItem(jn)??void 0}function Bn(e){e?sessionStorage.setItem(jn,e):sessionStorage.removeItem(jn)}function Vn(e){return it({url:Fn,token:e})}async function Hn(e,t){let n=await fetch(In,{method:`POST`,headers:{"Content-Type":`application/json`},body:JSON.stringify({email:e,name:t})});if(n.status===404||n.status===405)return;let r=await n.json().catch(()=>({}));if(!n.ok||!r.token)throw Error(r.errors?.[0]?.message??`the server answered ${n.status}`);return r.token}var Un=[{number:`4242424242424242`,label:`4242 4242 4242 4242: pays at once`},{number:`4000002500003155`,label:`4000 0025 0000 3155: 3-D Secure on the confirm page`},{number:`4000000000000259`,label:`4000 0000 0000 0259: pays a moment later`},{number:`4000000000000002`,label:`4000 0000 0000 0002: declined`},{number:`4000000000009995`,label:`4000 0000 0000 9995: declined, insufficient funds`},{number:``,label:`Choose a card on the hosted payment page`}];function Wn({client:e,orgId:t,currency:n,rights:r}){let i=q(e,Bt,{currency:n},n),[a,o]=F(),[s,c]=F(1),[l,u]=F(Un[0].number),[d,f]=F(``),[p,m]=F({kind:`idle`}),[h,g]=F(),[_,v]=F(),y=(n,r,i=!1)=>{m(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),_t(e,{orgId:t,orderId:n.id,signal:r,onUpdate:e=>m(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>{m({kind:`paid`,order:e}),i&&dispatchEvent(new Event(Pn))},e=>{r?.aborted||m({kind:`failed`,error:W(e)})})};if(I(()=>{let e=sessionStorage.getItem(Mn);if(!e)return;sessionStorage.removeItem(Mn);let n=JSON.parse(e);if(n.orgId!==t)return;new URLSearchParams(location.search).has(`payment_id`)&&history.replaceState(null,``,`${location.pathname}${location.hash}`);let r=new AbortController;return y(n.order,r.signal,!0),()=>r.abort()},[t]),!r.canBuy)return Y($,{title:`Buy credits`,id:`buy-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,r.role,`, may not buy credits.`]})}),Y(`p`,{children:`Buying credits takes the OWNER or BILLING role. Ask an owner of this organization to buy a pack or to give you the BILLING role.`})]})});if(i.loading&&!i.data)return Y(Z,{what:`packs`});if(i.error)return Y(X,{error:i.error});let b=(i.data?.packs??[]).filter(e=>!e.custom&&e.price),x=b.find(e=>e.id===a)??b[0],C=async n=>{if(n.preventDefault(),!x)return;m({kind:`paying`});let r=crypto.randomUUID(),i={orgId:t,packId:x.id,quantity:s,idempotencyKey:r,paymentMethodId:l||void 0,invoiceDetails:d.trim()?{companyName:d.trim()}:void 0},a=`${location.origin}${location.pathname}#buy`,o=!0,c;try{try{c=await e.request(Vt,{input:{...i,returnUrl:a}})}catch(t){let n=W(t);if(n.code!==`INVALID_INPUT`||!n.field?.toLowerCase().endsWith(`returnurl`))throw n;o=!1,c=await e.request(Vt,{input:i})}}catch(e){m({kind:`failed`,error:W(e)});return}await En(c.purchasePack,{failed:e=>m({kind:`failed`,error:e}),paid:e=>m({kind:`paid`,order:e}),redirect:async(e,n)=>{o?(sessionStorage.setItem(Mn,JSON.stringify({orgId:t,order:n})),m({kind:`redirecting`,url:e}),await ot({kind:`REDIRECT`,redirectUrl:e})):(m({kind:`action`,url:e,order:n}),y(n))},watch:e=>y(e)})},w=async()=>{if(!x)return;v({kind:`adding`});let n=x.validity===`RECURRING`&&h?h:void 0;try{let r=await kn(e,t,{kind:`PACK`,packId:x.id,quantity:s,termMonths:n});v({kind:`added`,text:`${s} × ${x.name} added to the cart: ${r.items.length} ${r.items.length===1?`item`:`items`}, ${z(r.total)} with tax.`})}catch(e){v({kind:`failed`,error:W(e)})}},T=p.kind===`paying`||p.kind===`redirecting`||p.kind===`waiting`||p.kind===`action`;return Y($,{title:`Buy credits`,id:`buy-h`,children:[b.length===0?Y(Q,{children:[`No packs are priced in `,n,`.`]}):Y(`form`,{onSubmit:C,class:`form`,children:[Y(`fieldset`,{children:[Y(`legend`,{children:[`Pack (prices in `,n,`, tax added at checkout)`]}),Y(`div`,{class:`packs`,children:b.map(e=>Y(`label`,{class:`pack${x?.id===e.id?` pack-selected`:``}`,children:[Y(`input`,{type:`radio`,name:`pack`,value:e.id,checked:x?.id===e.id,onChange:()=>o(e.id)}),Y(`span`,{class:`pack-name`,children:e.name}),Y(`span`,{class:`pack-credits`,children:[L(e.credits),` credits`]}),Y(`span`,{class:`pack-price`,children:z(e.price)}),Y(`span`,{class:`muted`,children:e.validity===`NEVER`?`Never expires`:e.validity===`BILLING_CYCLE`?`Expires with the billing cycle`:`Monthly add-on`})]},e.id))})]}),Y(`label`,{for:`buy-qty`,children:`Quantity`}),Y(`input`,{id:`buy-qty`,type:`number`,min:1,max:100,required:!0,value:s,onInput:e=>c(Math.max(1,Number(e.currentTarget.value)||1))}),x?.validity===`RECURRING`&&Y(S,{children:[Y(`label`,{for:`buy-term`,children:[`Term in months (add-on; at least `,x.recurringMonths??1,`, empty takes the minimum)`]}),Y(`input`,{id:`buy-term`,type:`number`,min:x.recurringMonths??1,value:h??``,onInput:e=>g(Number(e.currentTarget.value)||void 0)})]}),Y(`label`,{for:`buy-card`,children:`Card (sandbox test cards)`}),Y(`select`,{id:`buy-card`,value:l,onChange:e=>u(e.currentTarget.value),children:Un.map(e=>Y(`option`,{value:e.number,children:e.label},e.number))}),Y(`label`,{for:`buy-company`,children:`Company name on the invoice (optional)`}),Y(`input`,{id:`buy-company`,value:d,onInput:e=>f(e.currentTarget.value),autocomplete:`organization`}),x&&Y(`p`,{children:[s,` × `,x.name,`: `,L(x.credits*s),` credits for`,` `,x.price?`${(Number(x.price.amount)*s).toFixed(2)} ${x.price.currency}`:`—`,` before tax.`]}),Y(`div`,{class:`row cart-actions`,children:[Y(`button`,{type:`submit`,disabled:T||!x,children:p.kind===`paying`?`Paying…`:`Buy now`}),Y(`button`,{type:`button`,class:`secondary`,"data-testid":`add-to-cart`,disabled:T||!x||_?.kind===`adding`,onClick:w,children:_?.kind===`adding`?`Adding…`:`Add to cart`})]})]}),Y(`div`,{"aria-live":`polite`,class:`cart-note`,children:[_?.kind===`added`&&Y(`p`,{role:`status`,class:`notice notice-ok`,"data-testid":`cart-added`,children:[_.text,` `,Y(`a`,{href:`#cart`,children:`Go to checkout`})]}),_?.kind===`failed`&&Y(X,{error:_.error})]}),Y(Dn,{phase:p,paidTestId:`purchase-paid`})]})}var Gn=`saved`;function Kn({client:e,orgId:t,currency:n,rights:r}){let i=q(e,Ht,{currency:n},n),a=q(e,pn,{orgId:t},r.canBuy?t:`none`),[o,s]=F(),[c,l]=F(),[u,d]=F({kind:`idle`}),f=i.data?.topUpOptions,p=o??f?.presets[0]?.amount??``,m=vt(p),h=m.ok&&!!f&&m.minor>=f.min.amountMinor&&m.minor<=f.max.amountMinor,g=q(e,Ut,{orgId:t,amount:m.ok?m.decimal:``},h&&m.ok?`${t}:${m.decimal}`:`none`);if(!r.canBuy)return null;if(i.loading&&!i.data)return Y(Z,{what:`the top-up options`});if(i.error)return Y(X,{error:i.error});if(!f)return null;let _=(a.data?.org?.paymentMethods??[]).find(e=>e.isDefault&&e.status===`ACTIVE`),v=_?Un.filter(e=>e.number!==``):Un,y=c??(_?Gn:Un[0].number),b=h&&g.data&&!g.loading?g.data.topUpQuote:void 0,x=m.ok&&!h?`Choose an amount from ${z(f.min)} to ${z(f.max)}.`:void 0,S=n=>{d(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),_t(e,{orgId:t,orderId:n.id,onUpdate:e=>d(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>d({kind:`paid`,order:e}),e=>d({kind:`failed`,error:W(e)}))},C=async n=>{if(n.preventDefault(),!m.ok||!h)return;d({kind:`paying`});let r;try{r=await e.request(Wt,{input:{orgId:t,amount:m.decimal,idempotencyKey:crypto.randomUUID(),paymentMethodId:y===Gn||y===``?void 0:y}})}catch(e){d({kind:`failed`,error:W(e)});return}await En(r.topUp,{failed:e=>d({kind:`failed`,error:e}),paid:e=>d({kind:`paid`,order:e}),redirect:(e,t)=>{d({kind:`action`,url:e,order:t}),S(t)},watch:S})},w=u.kind===`paying`||u.kind===`waiting`||u.kind===`action`;return Y($,{title:`Top up by amount`,id:`topup-h`,children:[Y(`p`,{class:`muted`,children:[`Credits at the pack price, no markup: `,L(f.credits),` credits per `,z(f.per),`,`,` `,f.validity===`NEVER`?`never expiring`:`expiring with the billing cycle`,`. Tax is added at checkout.`]}),Y(`form`,{onSubmit:C,class:`form`,"data-testid":`topup-form`,children:[Y(`fieldset`,{children:[Y(`legend`,{children:[`Amount (`,n,`)`]}),Y(`div`,{class:`presets`,role:`group`,"aria-label":`Preset amounts`,children:f.presets.map(e=>Y(`button`,{type:`button`,class:m.ok&&m.minor===e.amountMinor?`preset preset-selected`:`preset`,"aria-pressed":m.ok&&m.minor===e.amountMinor,"data-amount":e.amount,onClick:()=>s(e.amount),children:z(e)},e.amount))}),Y(`label`,{for:`topup-amount`,children:[`Or any amount from `,f.min.amount,` to `,f.max.amount]}),Y(`input`,{id:`topup-amount`,inputMode:`decimal`,autocomplete:`off`,value:p,"aria-invalid":!m.ok||!!x,"aria-describedby":`topup-amount-help`,onInput:e=>s(e.currentTarget.value)}),Y(`p`,{id:`topup-amount-help`,class:`muted`,role:!m.ok||x?`alert`:void 0,children:m.ok?x??``:m.reason})]}),Y(`label`,{for:`topup-card`,children:`Pay with`}),Y(`select`,{id:`topup-card`,value:y,onChange:e=>l(e.currentTarget.value),children:[_&&Y(`option`,{value:Gn,children:[`Default saved card: `,_.brand??`card`,` •••• `,_.last4??`????`]}),v.map(e=>Y(`option`,{value:e.number,children:e.label},e.number))]}),g.error&&h&&Y(X,{error:g.error}),b&&Y(`div`,{class:`quote`,"data-testid":`topup-quote`,children:[Y(`p`,{children:[z(b.subtotal),` buys `,Y(`strong`,{"data-testid":`topup-credits`,children:L(b.credits)}),` credits. Tax `,z(b.tax),`; you pay`,` `,Y(`strong`,{"data-testid":`topup-total`,children:z(b.total)}),`.`]}),Y(`p`,{class:`muted`,"data-testid":`topup-rounding`,children:b.rounding})]}),Y(`button`,{type:`submit`,disabled:w||!b,children:u.kind===`paying`?`Paying…`:b?`Top up ${z(b.total)}`:`Top up`})]}),Y(Dn,{phase:u,paidTestId:`topup-paid`})]})}function qn(e,t){return t?`Expires ${R(t)}`:e===`NEVER`?`Never expires`:e===`RECURRING`?`Monthly add-on: resets each month of its term`:`Expires with the billing cycle`}function Jn(e){return e.kind===`PLAN`||e.kind===`SEATS`?{value:e.seats??1,unit:`seats`}:e.kind===`EXTRA_CREDITS`?{value:e.amount??0,unit:`credits`}:{value:e.quantity,unit:`packs`}}function Yn({client:e,orgId:t,country:n,rights:r}){let[i,a]=F(),[o,s]=F(),[c,l]=F(),[u,d]=F(),[f,p]=F(!1),[m,h]=F(),[g,_]=F({kind:`idle`}),v=q(e,pn,{orgId:t},r.canBuy?t:`none`),y=async()=>{try{a(await Dt(e,t)??null),s(void 0)}catch(e){s(W(e))}},b=async t=>{_({kind:`paid`,order:t});try{let n=await e.request(bt,{id:t.id});n.order&&_({kind:`paid`,order:t,items:n.order})}catch{}},x=(n,r,i=!1)=>{_(e=>e.kind===`action`?e:{kind:`waiting`,order:n}),_t(e,{orgId:t,orderId:n.id,signal:r,onUpdate:e=>_(t=>t.kind===`action`?{...t,order:e}:{kind:`waiting`,order:e})}).then(e=>{b(e),i&&dispatchEvent(new Event(Pn))},e=>{r?.aborted||(_({kind:`failed`,error:W(e)}),y())})};if(I(()=>{if(!r.canBuy)return;y();let e=()=>void y();addEventListener(On,e);let n=sessionStorage.getItem(Nn),i=new AbortController;if(n){sessionStorage.removeItem(Nn);let e=JSON.parse(n);e.orgId===t&&(new URLSearchParams(location.search).has(`payment_id`)&&history.replaceState(null,``,`${location.pathname}${location.hash}`),x(e.order,i.signal,!0))}return()=>{removeEventListener(On,e),i.abort()}},[e,t,r.canBuy]),!r.canBuy)return Y($,{title:`Checkout`,id:`cart-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,r.role,`, may not buy.`]})}),Y(`p`,{children:`The checkout takes the OWNER or BILLING role.`})]})});if(o)return Y(X,{error:o});if(i===void 0)return Y(Z,{what:`the cart`});let S=async e=>{p(!0),l(void 0),d(void 0);try{let t=await e();a(t&&t.status===`DRAFT`?t:null)}catch(e){let t=W(e);l(t),(t.code===`CONFLICT`||t.code===`NOT_FOUND`)&&await y()}finally{p(!1)}},C=(t,n)=>S(async()=>(await e.request(Ct,{orderId:i.id,itemId:t.id,quantity:n})).setOrderItemQuantity),w=t=>S(async()=>(await e.request(wt,{orderId:i.id,itemId:t.id})).removeOrderItem),T=()=>S(async()=>{await e.request(Tt,{orderId:i.id})}),E=(v.data?.org?.paymentMethods??[]).filter(e=>e.status===`ACTIVE`),D=m??E.find(e=>e.isDefault)?.id??Un[0].number,O=async n=>{if(n.preventDefault(),!i)return;d(void 0),l(void 0),_({kind:`paying`});let r=crypto.randomUUID(),o={paymentMethodId:D||void 0,idempotencyKey:r},s=!0,c;try{try{c=await Ft(e,i,{...o,returnUrl:`${location.origin}${location.pathname}#cart`})}catch(t){let n=W(t);if(n.code!==`INVALID_INPUT`||!n.field?.toLowerCase().endsWith(`returnurl`))throw n;s=!1,c=await Ft(e,i,o)}}catch(e){let t=W(e);_({kind:`failed`,error:t}),t.code===`PAYMENT_FAILED`&&await y();return}c.kind===`conflict`?(d(c.message),_({kind:`idle`}),c.draft?.status===`DRAFT`?a(c.draft):await y()):(a(null),await En(c.checkout,{failed:e=>{_({kind:`failed`,error:e}),y()},paid:e=>void b(e),redirect:async(e,n)=>{s?(sessionStorage.setItem(Nn,JSON.stringify({orgId:t,order:n})),_({kind:`redirecting`}),await ot({kind:`REDIRECT`,redirectUrl:e})):(_({kind:`action`,url:e,order:n}),x(n))},watch:e=>x(e)}))},k=f||g.kind===`paying`||g.kind===`redirecting`||g.kind===`waiting`||g.kind===`action`,A=i?Nt(i):[];return Y($,{title:`Checkout`,id:`cart-h`,children:[u&&Y(`div`,{class:`notice notice-error`,role:`alert`,"data-code":`CONFLICT`,"data-testid":`cart-conflict`,children:[Y(`p`,{children:Y(`strong`,{children:`The cart changed since you saw it, so nothing was charged.`})}),Y(`p`,{children:[`Below is the cart as it is now, priced again by the server. Check it, then pay again. (`,u,`)`]})]}),c&&Y(X,{error:c}),!i||A.length===0?g.kind===`idle`||g.kind===`failed`?Y(Q,{children:[`The cart is empty. Add packs under `,Y(`a`,{href:`#buy`,children:`Buy credits`}),`, or a plan and seats under `,Y(`a`,{href:`#plan`,children:`Plan & usage`}),`.`]}):null:Y(`form`,{class:`form`,onSubmit:O,"data-testid":`cart`,"data-version":i.version,"aria-busy":k,children:[Y(`div`,{class:`tablewrap`,children:Y(`table`,{children:[Y(`caption`,{class:`sr-only`,children:`Items in the cart`}),Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,children:`Item`}),Y(`th`,{scope:`col`,children:`Quantity`}),Y(`th`,{scope:`col`,class:`num`,children:`Price`}),Y(`th`,{scope:`col`,class:`num`,children:`Credits`}),Y(`th`,{scope:`col`,children:`Validity`}),Y(`th`,{scope:`col`,children:Y(`span`,{class:`sr-only`,children:`Actions`})})]})}),Y(`tbody`,{children:A.map(({item:e,description:t,price:n})=>{let r=Jn(e),i=`cart-qty-${e.id}`;return Y(`tr`,{"data-testid":`cart-item`,"data-item":e.id,"data-credits":e.credits,children:[Y(`td`,{class:`cart-desc`,children:[t,e.termMonths?Y(`span`,{class:`muted`,children:[` · `,e.termMonths,`-month term`]}):null]}),Y(`td`,{children:Y(`div`,{class:`qty`,children:[Y(`button`,{type:`button`,class:`secondary`,"aria-label":`One fewer: ${t}`,disabled:k||r.value<=1||e.kind===`EXTRA_CREDITS`,onClick:()=>C(e,r.value-1),children:`−`}),Y(`label`,{for:i,class:`sr-only`,children:[`Quantity of `,t,` (`,r.unit,`)`]}),Y(`input`,{id:i,type:`number`,min:1,value:r.value,disabled:k,onChange:t=>{let n=Math.floor(Number(t.currentTarget.value));n>=1&&n!==r.value?C(e,n):t.currentTarget.value=String(r.value)}}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`One more: ${t}`,disabled:k||e.kind===`EXTRA_CREDITS`,onClick:()=>C(e,r.value+1),children:`+`})]})}),Y(`td`,{class:`num`,children:z(n)}),Y(`td`,{class:`num`,children:L(e.credits)}),Y(`td`,{children:qn(e.validity,e.expiresAt)}),Y(`td`,{children:Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${t}`,disabled:k,onClick:()=>w(e),children:`Remove`})})]},e.id)})})]})}),Y(`dl`,{class:`totals`,children:[Y(`dt`,{children:`Subtotal`}),Y(`dd`,{"data-testid":`cart-subtotal`,children:z(i.subtotal)}),Y(`dt`,{children:`Tax`}),Y(`dd`,{"data-testid":`cart-tax`,children:z(i.tax)}),Y(`dt`,{children:`Total`}),Y(`dd`,{"data-testid":`cart-total`,children:Y(`strong`,{children:z(i.total)})}),Y(`dt`,{children:`Credits`}),Y(`dd`,{"data-testid":`cart-credits`,children:L(i.credits)})]}),Y(Xn,{client:e,orgId:t,country:n,draft:i,busy:k,onChange:n=>S(()=>At(e,t,i,n))}),Y(`label`,{for:`cart-card`,children:`Pay with`}),Y(`select`,{id:`cart-card`,value:D,onChange:e=>h(e.currentTarget.value),children:[E.map(e=>Y(`option`,{value:e.id,children:[`Saved `,e.brand,` `,e.last4??``,e.isDefault?` (default)`:``]},e.id)),Un.map(e=>Y(`option`,{value:e.number,children:[`Test card `,e.label]},e.number))]}),Y(`div`,{class:`row cart-actions`,children:[Y(`button`,{type:`submit`,disabled:k,children:g.kind===`paying`?`Paying…`:`Pay ${z(i.total)}`}),Y(`button`,{type:`button`,class:`secondary`,disabled:k,onClick:T,children:`Empty the cart`})]})]}),Y(Dn,{phase:g,paidTestId:`cart-paid`,children:g.kind===`paid`&&g.items&&Y(`ul`,{"data-testid":`cart-paid-items`,children:Nt(g.items).map(({item:e,description:t})=>Y(`li`,{"data-credits":e.credits,children:[t,`: `,L(e.credits),` credits, `,qn(e.validity,e.expiresAt).toLowerCase()]},e.id))})})]})}function Xn({client:e,orgId:t,country:n,draft:r,busy:i,onChange:a}){let o=r.items.find(e=>e.kind===`PACK`&&!e.termMonths),s=o?`${t}:${o.packId}:${o.quantity}`:`none`,c=q(e,Kt,{orgId:t,packId:o?.packId??``,quantity:o?.quantity??1},s),l=r.installments?.count??1,u=o?c.data?.installmentOptions??[]:[];return u.length<=1?l>1?Y(`p`,{children:[`In `,l,` installments.`]}):Y(`p`,{class:`muted`,children:[`Paid at once`,n===`BR`?``:` (installments are offered where a gateway takes them, e.g. in Brazil)`,`.`]}):Y(S,{children:[Y(`label`,{for:`cart-installments`,children:`Installments`}),Y(`select`,{id:`cart-installments`,value:String(l),disabled:i,onChange:e=>a(Number(e.currentTarget.value)),children:u.map(e=>Y(`option`,{value:String(e.count),children:e.count===1?`At once`:`${e.count} installments`},e.count))}),r.installments&&Y(`p`,{class:`muted`,"data-testid":`cart-installment-plan`,children:[r.installments.count,` × `,z(r.installments.installmentAmount),`, commission `,z(r.installments.commission),`.`]})]})}var Zn=[`OWNER`,`ADMIN`,`BILLING`,`MEMBER`];function Qn({client:e,orgId:t,rights:n}){let r=q(e,Jt,{orgId:t},t),i=J(e,Qt),a=J(e,$t);if(r.loading&&!r.data)return Y(Z,{what:`members`});if(r.error)return Y(X,{error:r.error});let o=r.data.org,s=o.members.edges.map(e=>e.node),c=i.error??a.error;return Y(S,{children:[Y($,{title:`Seats`,id:`seats-h`,children:[Y(`p`,{children:[Y(`strong`,{children:o.seats.used}),` of `,Y(`strong`,{children:o.seats.total}),` seats used, `,o.seats.pending,` held by pending invitations,`,` `,o.seats.available,` free.`]}),Y(`meter`,{min:0,max:o.seats.total,value:o.seats.used+o.seats.pending,"aria-label":`Seats taken`,children:[o.seats.used+o.seats.pending,` of `,o.seats.total]})]}),Y($,{title:`Members`,id:`members-h`,children:[c&&Y(X,{error:c}),!n.canManage&&Y(`p`,{class:`muted`,children:[`Changing roles and members takes the OWNER or ADMIN role; yours is `,n.role,`.`]}),Y(`ul`,{class:`list`,children:s.map(e=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:e.user.name||e.user.email}),e.user.name&&Y(S,{children:[` `,Y(`span`,{class:`muted`,children:e.user.email})]})]}),n.canManage&&e.role!==`OWNER`?Y(`span`,{class:`row`,children:[Y(`label`,{class:`sr-only`,for:`role-${e.user.id}`,children:[`Role of `,e.user.email]}),Y(`select`,{id:`role-${e.user.id}`,value:e.role,disabled:i.busy,onChange:async n=>{await i.run({orgId:t,userId:e.user.id,role:n.currentTarget.value})&&r.reload()},children:Zn.filter(e=>e!==`OWNER`).map(e=>Y(`option`,{value:e,children:e},e))}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${e.user.email}`,disabled:a.busy,onClick:async()=>{confirm(`Remove ${e.user.email} from the organization?`)&&await a.run({orgId:t,userId:e.user.id})&&r.reload()},children:`Remove`})]}):Y(`span`,{class:`badge`,children:e.role})]},e.user.id))})]}),n.canManage&&Y($n,{client:e,orgId:t,onChange:r.reload})]})}function $n({client:e,orgId:t,onChange:n}){let r=q(e,Yt,{orgId:t},t),i=J(e,Xt),a=J(e,Zt),[o,s]=F(``),[c,l]=F(`MEMBER`),u=(r.data?.org?.invitations??[]).filter(e=>!e.acceptedAt&&!e.revokedAt);return Y($,{title:`Invitations`,id:`invites-h`,children:[Y(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await i.run({orgId:t,email:o,role:c})&&(s(``),r.reload(),n())},children:[Y(`label`,{for:`invite-email`,children:`Email`}),Y(`input`,{id:`invite-email`,type:`email`,required:!0,value:o,onInput:e=>s(e.currentTarget.value)}),Y(`label`,{for:`invite-role`,children:`Role`}),Y(`select`,{id:`invite-role`,value:c,onChange:e=>l(e.currentTarget.value),children:Zn.filter(e=>e!==`OWNER`).map(e=>Y(`option`,{value:e,children:e},e))}),Y(`button`,{type:`submit`,disabled:i.busy,children:`Invite`})]}),i.error&&Y(X,{error:i.error}),i.data?.inviteMember&&Y(`div`,{class:`notice notice-ok`,role:`status`,children:[Y(`p`,{children:[`Invited `,i.data.inviteMember.invitation.email,`. The invitation token, shown only now, for them to accept:`]}),Y(`code`,{class:`secret`,children:i.data.inviteMember.token})]}),a.error&&Y(X,{error:a.error}),r.error?Y(X,{error:r.error}):r.loading&&!r.data?Y(Z,{what:`invitations`}):u.length===0?Y(Q,{children:`No pending invitations.`}):Y(`ul`,{class:`list`,children:u.map(e=>Y(`li`,{children:[Y(`span`,{children:[e.email,` as `,e.role,`, expires `,R(e.expiresAt)]}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Revoke the invitation of ${e.email}`,onClick:async()=>{await a.run({id:e.id})&&(r.reload(),n())},children:`Revoke`})]},e.id))})]})}function er({client:e,onCreated:t}){let n=J(e,Lt),r=J(e,yn),[i,a]=F(`Acme`),[o,s]=F(`DE`),[c,l]=F(`EUR`),[u,d]=F(``);return Y(S,{children:[Y(`p`,{class:`muted`,children:`You are not a member of any organization yet: create one to get its sign-up credit, or join one you were invited to.`}),Y(`div`,{class:`grid2`,children:[Y($,{title:`Create an organization`,id:`create-org-h`,children:[Y(`form`,{onSubmit:async e=>{e.preventDefault();let r=await n.run({input:{name:i,country:o.toUpperCase(),currency:c}});r&&t(r.createOrg.org.id)},class:`form`,children:[Y(`label`,{for:`org-name`,children:`Name`}),Y(`input`,{id:`org-name`,required:!0,value:i,onInput:e=>a(e.currentTarget.value)}),Y(`label`,{for:`org-country`,children:`Country (ISO code)`}),Y(`input`,{id:`org-country`,required:!0,maxLength:2,value:o,onInput:e=>s(e.currentTarget.value)}),Y(`label`,{for:`org-currency`,children:`Currency`}),Y(`select`,{id:`org-currency`,value:c,onChange:e=>l(e.currentTarget.value),children:[Y(`option`,{value:`EUR`,children:`EUR`}),Y(`option`,{value:`USD`,children:`USD`}),Y(`option`,{value:`BRL`,children:`BRL`})]}),Y(`button`,{type:`submit`,disabled:n.busy,children:n.busy?`Creating…`:`Create organization`})]}),n.error&&Y(X,{error:n.error})]}),Y($,{title:`Join with an invitation`,id:`join-org-h`,children:[Y(`form`,{onSubmit:async e=>{e.preventDefault();let n=await r.run({token:u.trim()});n&&t(n.acceptInvitation.membership.org.id)},class:`form`,children:[Y(`label`,{for:`invitation-token`,children:`Invitation token`}),Y(`input`,{id:`invitation-token`,required:!0,value:u,onInput:e=>d(e.currentTarget.value),spellcheck:!1}),Y(`button`,{type:`submit`,disabled:r.busy,children:r.busy?`Joining…`:`Accept invitation`})]}),r.error&&Y(X,{error:r.error})]})]})]})}var tr={PAID:`badge-ok`,FAILED:`badge-bad`,CANCELED:`badge-muted`,REQUIRES_ACTION:`badge-warn`,PENDING:`badge-warn`,PROCESSING:`badge-warn`};async function nr(e,t,n){let r=e.options.token,i=tt(typeof r==`function`?r():r),a=await fetch(t,{headers:i?{Authorization:i}:{}});if(!a.ok){let e=(await a.json().catch(()=>void 0))?.errors?.[0];throw new U({code:e?.extensions?.code===`FORBIDDEN`?`FORBIDDEN`:a.status===404?`NOT_FOUND`:`INTERNAL`,message:e?.message??`the server answered ${a.status}`,status:a.status})}let o=await a.blob(),s=URL.createObjectURL(o),c=document.createElement(`a`);c.href=s,c.download=`${n}.pdf`,document.body.appendChild(c),c.click(),c.remove(),setTimeout(()=>URL.revokeObjectURL(s),1e4)}function rr({client:e,orgId:t,rights:n}){let r=q(e,Gt,{orgId:t},t),i=J(e,qt),[a,o]=F(),[s,c]=F(),l=r.reload;if(I(()=>{if(n.canBuy)return e.subscribe(pt,{orgId:t},{next:()=>l()})},[e,t,n.canBuy,l]),!n.canBuy)return Y($,{title:`Orders & invoices`,id:`orders-h`,children:Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,n.role,`, may not see orders or invoices.`]})}),Y(`p`,{children:`They are for the OWNER and BILLING roles.`})]})});if(r.loading&&!r.data)return Y(Z,{what:`orders`});if(r.error)return Y(X,{error:r.error});let u=r.data?.org?.orders.edges.map(e=>e.node)??[],d=r.data?.org?.invoices.edges.map(e=>e.node)??[];return Y(S,{children:[Y($,{title:`Orders`,id:`orders-h`,children:[Y(`button`,{type:`button`,class:`secondary`,onClick:r.reload,children:`Refresh`}),i.error&&Y(X,{error:i.error}),u.length===0?Y(Q,{children:`No orders yet.`}):Y(`div`,{class:`tablewrap`,children:Y(`table`,{children:[Y(`caption`,{class:`sr-only`,children:`Orders, newest first`}),Y(`thead`,{children:Y(`tr`,{children:[Y(`th`,{scope:`col`,children:`Order`}),Y(`th`,{scope:`col`,children:`Date`}),Y(`th`,{scope:`col`,children:`Status`}),Y(`th`,{scope:`col`,class:`num`,children:`Credits`}),Y(`th`,{scope:`col`,class:`num`,children:`Total`}),Y(`th`,{scope:`col`,children:Y(`span`,{class:`sr-only`,children:`Actions`})})]})}),Y(`tbody`,{children:u.map(e=>Y(`tr`,{children:[Y(`td`,{children:e.status===`DRAFT`?Y(`a`,{href:`#cart`,children:`Cart (draft)`}):e.number}),Y(`td`,{children:R(e.createdAt)}),Y(`td`,{children:[Y(`span`,{class:`badge ${tr[e.status]??``}`,children:e.status}),e.failureReason&&Y(`span`,{class:`muted`,children:[` `,e.failureReason]})]}),Y(`td`,{class:`num`,children:L(e.credits)}),Y(`td`,{class:`num`,children:z(e.total)}),Y(`td`,{children:(e.status===`PENDING`||e.status===`REQUIRES_ACTION`)&&Y(`button`,{type:`button`,class:`secondary`,disabled:i.busy,"aria-label":`Cancel order ${e.number}`,onClick:async()=>{await i.run({id:e.id})&&r.reload()},children:`Cancel`})})]},e.id))})]})})]}),Y($,{title:`Invoices`,id:`invoices-h`,children:[a&&Y(X,{error:a}),s&&Y(`p`,{role:`status`,class:`muted`,children:[`Downloaded `,s,`.pdf`]}),d.length===0?Y(Q,{children:`No invoices yet. A paid order gets one.`}):Y(`ul`,{class:`list`,children:d.map(t=>Y(`li`,{children:[Y(`span`,{children:[Y(`strong`,{children:t.number}),` · `,R(t.issuedAt),` · `,z(t.total),` · order `,t.orderNumber,t.status!==`PAID`&&Y(`span`,{class:`badge badge-muted`,children:[` `,t.status]}),t.lines.length>0&&Y(`ul`,{class:`invoice-lines`,"aria-label":`Lines of invoice ${t.number}`,children:t.lines.map((e,t)=>Y(`li`,{children:[e.description,`: `,z(e.amount)]},t))})]}),Y(`button`,{type:`button`,"aria-label":`Download invoice ${t.number} as PDF`,onClick:async()=>{o(void 0);try{await nr(e,t.pdfUrl,t.number),c(t.number)}catch(e){o(e instanceof U?e:new U({code:`INTERNAL`,message:String(e)}))}},children:`Download PDF`})]},t.id))})]})]})}function ir({rights:e,what:t}){return Y(`div`,{class:`notice notice-info`,role:`note`,"data-code":`FORBIDDEN`,"data-testid":`read-only`,children:[Y(`p`,{children:Y(`strong`,{children:[`Your role, `,e.role,`, may not change `,t,`.`]})}),Y(`p`,{children:`That takes the OWNER or BILLING role: ask an owner of this organization.`})]})}function ar({client:e,orgId:t,currency:n,rights:r}){let i=q(e,rn,{orgId:t},t),a=q(e,pn,{orgId:t},r.canBuy?t:`none`),o=i.reload;if(I(()=>e.subscribe(an,{orgId:t},{next:()=>o()}),[e,t,o]),i.loading&&!i.data)return Y(Z,{what:`the plan`});if(i.error)return Y(X,{error:i.error});let s=i.data.org,c=r.canBuy?a.data?.org?.paymentMethods??[]:[];return Y(S,{children:[!r.canBuy&&Y(ir,{rights:r,what:`the plan, payment methods or auto-recharge`}),Y(or,{client:e,orgId:t,org:s,rights:r,reload:i.reload}),r.canBuy&&Y(sr,{client:e,orgId:t,currency:n,org:s,saved:c,reload:i.reload}),Y(pr,{usage:s.usage}),r.canBuy&&Y(hr,{client:e,orgId:t,methods:a}),Y(gr,{client:e,orgId:t,currency:n,rights:r,saved:c})]})}function or({client:e,orgId:t,org:n,rights:r,reload:i}){let a=J(e,dn),o=J(e,fn),s=n.subscription,c=s&&s.status!==`ENDED`,l=s?s.includedCreditsPerMonth-s.includedCreditsLeft:0,u=a.error??o.error;return Y($,{title:`Plan`,id:`plan-h`,children:s&&c?Y(S,{children:[Y(`p`,{"data-testid":`current-plan`,children:[Y(`strong`,{"data-testid":`plan-name`,children:s.plan.name}),` (`,s.plan.interval.toLowerCase(),`), `,Y(`span`,{"data-testid":`plan-seats`,children:s.seats}),` `,s.seats===1?`seat`:`seats`,`,`,` `,Y(`span`,{class:`badge`,"data-testid":`plan-status`,children:s.status})]}),Y(`p`,{children:[s.cancelAtPeriodEnd||!s.autoRenew?`Ends`:`Renews`,` `,R(s.renewsAt??s.currentPeriodEnd),`.`]}),s.scheduledChange&&Y(`p`,{"data-testid":`scheduled-change`,children:[`Scheduled for `,R(s.scheduledChange.effectiveAt),`: `,s.scheduledChange.plan.name,`, `,s.scheduledChange.seats,` seats.`]}),Y(fr,{id:`included`,label:`Included credits this month`,value:l,max:s.includedCreditsPerMonth,text:`${L(l)} of ${L(s.includedCreditsPerMonth)} used`}),r.canBuy&&Y(`div`,{class:`row`,children:s.cancelAtPeriodEnd?Y(`button`,{type:`button`,class:`secondary`,disabled:o.busy,onClick:async()=>await o.run({orgId:t,key:crypto.randomUUID()})&&i(),children:`Resume subscription`}):Y(`button`,{type:`button`,class:`secondary`,disabled:a.busy,onClick:async()=>{confirm(`Cancel ${s.plan.name}? It stays until ${R(s.currentPeriodEnd)}, then the organization is on the Free plan.`)&&await a.run({orgId:t,key:crypto.randomUUID()})&&i()},children:`Cancel subscription`})}),u&&Y(X,{error:u})]}):Y(`p`,{"data-testid":`current-plan`,children:[Y(`strong`,{"data-testid":`plan-name`,children:`Free plan`}),`: `,n.seats.total,` seats, no charge.`]})})}function sr({client:e,orgId:t,currency:n,org:r,saved:i,reload:a}){let o=q(e,on,{currency:n},n),s=r.subscription&&r.subscription.status!==`ENDED`?r.subscription:void 0,c=Math.max(1,r.seats.used+r.seats.pending),[l,u]=F(),[d,f]=F(s?.seats??c),p=i.filter(e=>e.status===`ACTIVE`),[m,h]=F(),[g,_]=F({kind:`idle`});if(o.loading&&!o.data)return Y(Z,{what:`the plans`});if(o.error)return Y(X,{error:o.error});let v=(o.data?.plans??[]).filter(e=>e.price&&Number(e.price.amount)>0),y=v.find(e=>e.id===(l??s?.plan.id))??v[0],b=s?``:p.find(e=>e.isDefault)?.id??p[0]?.id??Un[0].number,x=m??b,S=()=>_({kind:`idle`}),C=async n=>{if(n.preventDefault(),y){_({kind:`quoting`});try{let n=await e.request(sn,{input:{orgId:t,planId:y.id,seats:d}});_({kind:`quoted`,quote:n.previewChange})}catch(e){_({kind:`failed`,error:W(e)})}}},w=async()=>{if(!y)return;_({kind:`paying`});let n=crypto.randomUUID(),r=x||void 0,i;try{i=s?y.id!==s.plan.id||d===s.seats?(await e.request(ln,{input:{orgId:t,planId:y.id,seats:d,paymentMethodId:r,idempotencyKey:n}})).changePlan:(await e.request(un,{input:{orgId:t,seats:d,paymentMethodId:r,idempotencyKey:n}})).changeSeats:(await e.request(cn,{input:{orgId:t,planId:y.id,seats:d,paymentMethodId:r,idempotencyKey:n}})).subscribe}catch(e){_({kind:`failed`,error:W(e)});return}let o=i.order;if(i.order&&(i.order.status===`FAILED`||i.order.status===`CANCELED`))_({kind:`failed`,error:new gt(i.order)}),a();else{if(i.order&&!mt.includes(i.order.status)){i.nextAction.kind===`REDIRECT`&&i.nextAction.redirectUrl&&_({kind:`action`,url:i.nextAction.redirectUrl});try{o=await _t(e,{orgId:t,orderId:i.order.id})}catch(e){_({kind:`failed`,error:W(e)}),a();return}}_({kind:`done`,text:o?`Paid: order ${o.number}, ${z(o.total)}. ${y.name}, ${d} seats.`:`Scheduled: ${y.name}, ${d} seats from the end of the period. Nothing is charged now.`}),a()}},T=y?s?y.id===s.plan.id&&d>s.seats?{kind:`SEATS`,seats:d-s.seats}:void 0:{kind:`PLAN`,planId:y.id,seats:d}:void 0,E=async()=>{if(T&&y){_({kind:`carting`});try{let n=await kn(e,t,T);_({kind:`carted`,text:`${T.kind===`PLAN`?`${y.name}, ${d} seats`:`${T.seats} more seats`} added to the cart: ${n.items.length} ${n.items.length===1?`item`:`items`}, ${z(n.total)} with tax.`})}catch(e){_({kind:`failed`,error:W(e)})}}},D=g.kind===`quoting`||g.kind===`paying`||g.kind===`carting`||g.kind===`action`;return Y($,{title:s?`Change plan or seats`:`Subscribe to a plan`,id:`change-plan-h`,children:[v.length===0?Y(Q,{children:[`No plans are priced in `,n,`.`]}):Y(`form`,{class:`form`,onSubmit:C,children:[Y(`fieldset`,{children:[Y(`legend`,{children:[`Plan (per seat, prices in `,n,` before tax)`]}),Y(`div`,{class:`packs`,children:v.map(e=>Y(`label`,{class:`pack${y?.id===e.id?` pack-selected`:``}`,children:[Y(`input`,{type:`radio`,name:`plan`,value:e.id,"data-code":e.code,checked:y?.id===e.id,onChange:()=>{u(e.id),S()}}),Y(`span`,{class:`pack-name`,children:[e.name,s?.plan.id===e.id?` (current)`:``]}),Y(`span`,{class:`pack-price`,children:[z(e.price),` / seat / `,e.interval===`ANNUALLY`?`year`:`month`]}),Y(`span`,{class:`muted`,children:[L(e.includedCreditsPerSeat),` credits per seat each month`]})]},e.id))})]}),Y(`label`,{for:`plan-seats`,children:[`Seats (at least `,c,`: members and pending invitations)`]}),Y(`input`,{id:`plan-seats`,type:`number`,min:1,max:1e4,required:!0,value:d,onInput:e=>{f(Math.max(1,Math.floor(Number(e.currentTarget.value))||1)),S()}}),Y(`label`,{for:`plan-pay`,children:s?`Pay a charge now with`:`Pay with`}),Y(`select`,{id:`plan-pay`,value:x,onChange:e=>{h(e.currentTarget.value),S()},children:[s&&Y(`option`,{value:``,children:`The subscription's saved method`}),p.map(e=>Y(`option`,{value:e.id,children:[`Saved `,e.brand,` `,e.last4??``,e.isDefault?` (default)`:``]},e.id)),Un.filter(e=>e.number).map(e=>Y(`option`,{value:e.number,children:[`Test card `,e.label]},e.number))]}),Y(`div`,{class:`row cart-actions`,children:[Y(`button`,{type:`submit`,disabled:D||!y,children:g.kind===`quoting`?`Pricing…`:`Show the price`}),T&&Y(`button`,{type:`button`,class:`secondary`,"data-testid":`plan-add-to-cart`,disabled:D,onClick:E,children:g.kind===`carting`?`Adding…`:`Add to cart`})]})]}),Y(`div`,{"aria-live":`polite`,class:`outcome`,children:[g.kind===`quoted`&&Y(lr,{quote:g.quote,onConfirm:w,onCancel:S}),g.kind===`paying`&&Y(`p`,{role:`status`,children:`Applying…`}),g.kind===`action`&&Y(`div`,{class:`notice notice-info`,role:`status`,children:Y(`p`,{children:[`The bank wants the payment confirmed:`,` `,Y(`a`,{href:g.url,target:`_blank`,rel:`noopener`,children:`open the confirm page`}),` `,`(a new tab); this page updates once it is paid.`]})}),g.kind===`carted`&&Y(`p`,{role:`status`,class:`notice notice-ok`,"data-testid":`plan-cart-added`,children:[g.text,` `,Y(`a`,{href:`#cart`,children:`Go to checkout`})]}),g.kind===`done`&&Y(`div`,{class:`notice notice-ok`,role:`status`,"data-testid":`plan-changed`,children:Y(`p`,{children:g.text})}),g.kind===`failed`&&Y(X,{error:g.error})]})]})}var cr={SUBSCRIBE:`New subscription, charged now`,UPGRADE:`Upgrade, charged now for the rest of the period`,ADD_SEATS:`Added seats, charged now for the rest of the period`,DOWNGRADE:`Downgrade, from the end of the period`,REMOVE_SEATS:`Fewer seats, from the end of the period`,RENEW:`Renewal`,NONE:`No change`};function lr({quote:e,onConfirm:t,onCancel:n}){return Y(`div`,{class:`notice notice-info quote`,"data-testid":`quote`,"data-kind":e.kind,children:[Y(`h3`,{id:`quote-h`,children:[cr[e.kind]??e.kind,`: `,e.plan.name,`, `,e.seats,` `,e.seats===1?`seat`:`seats`]}),e.lines.length>0&&Y(`ul`,{class:`list`,children:e.lines.map((e,t)=>Y(`li`,{children:[Y(`span`,{children:e.description}),Y(`span`,{class:`num`,children:z(e.amount)})]},t))}),Y(`p`,{children:[e.immediate?Y(S,{children:[`Charged now: `,Y(`strong`,{"data-testid":`quote-total`,children:z(e.total)}),` (tax `,z(e.tax),`); `,L(e.credits),` credits added once paid.`]}):Y(S,{children:[`Nothing charged now; takes effect `,R(e.effectiveAt),`.`]}),` `,`Next renewal: `,z(e.renewal),`.`]}),Y(`div`,{class:`row`,children:[Y(`button`,{type:`button`,onClick:t,disabled:e.kind===`NONE`,"data-testid":`confirm-change`,children:e.immediate?`Confirm and pay ${z(e.total)}`:`Confirm the change`}),Y(`button`,{type:`button`,class:`secondary`,onClick:n,children:`Back`})]})]})}var ur={SESSIONS:`Sessions`,EVENTS:`Events`,ENRICHMENTS:`Enrichments`,STORAGE_BYTES:`Storage`,DATA_TRANSFER_BYTES:`Data transfer`},dr=new Set([`STORAGE_BYTES`,`DATA_TRANSFER_BYTES`]);function fr({id:e,label:t,value:n,max:r,text:i,level:a}){let o=r>0?Math.min(100,n/r*100):0;return Y(`div`,{class:`bar-row`,children:[Y(`div`,{class:`bar-label`,children:[Y(`span`,{id:`${e}-label`,children:t}),Y(`span`,{id:`${e}-text`,class:`muted`,children:i})]}),Y(`div`,{class:`bar bar-${(a??`OK`).toLowerCase()}`,role:`progressbar`,"aria-labelledby":`${e}-label`,"aria-describedby":`${e}-text`,"aria-valuemin":0,"aria-valuemax":Math.max(1,r),"aria-valuenow":Math.min(n,Math.max(1,r)),"aria-valuetext":i,"data-testid":`bar-${e}`,children:Y(`div`,{class:`bar-fill`,style:{width:`${o}%`}})})]})}function pr({usage:e}){let t=new Intl.NumberFormat(`en-US`);return Y($,{title:`Usage`,id:`usage-h`,children:[Y(`p`,{children:[L(e.creditsConsumed),` credits spent `,e.scope===`MEMBER`?`by you`:`by the organization`,` from `,R(e.periodStart),` to`,` `,R(e.periodEnd),`.`,e.extraCredits>0&&` ${L(e.extraCredits)} extra credits bought this period raise the data-transfer limit.`]}),e.metrics.length===0?Y(Q,{children:`No metered usage this period.`}):Y(`div`,{class:`bars`,"data-testid":`usage-bars`,children:e.metrics.map(e=>{let n=`usage-${e.metric.toLowerCase()}`,r=e.level===`OK`?``:e.level===`WARNING`?` (near the limit)`:` (over the limit)`,i=dr.has(e.metric)?Le:e=>t.format(e),a=e.limitFromExtraCredits>0?`, ${i(e.limitFromExtraCredits)} of it from extra credits`:``;return e.limit==null?Y(`div`,{class:`bar-row`,"data-testid":`bar-${n}`,children:Y(`div`,{class:`bar-label`,children:[Y(`span`,{children:ur[e.metric]}),Y(`span`,{class:`muted`,children:[i(e.quantity),` used, no limit`]})]})},e.metric):Y(fr,{id:n,label:ur[e.metric],value:e.quantity,max:e.limit,level:e.level,text:`${i(e.quantity)} of ${i(e.limit)} used${r}${a}`},e.metric)})})]})}var mr=[{number:`4242424242424242`,label:`4242 4242 4242 4242: charges off session`},{number:`4000002760003184`,label:`4000 0027 6000 3184: its bank always wants 3-D Secure`}];function hr({client:e,orgId:t,methods:n}){let r=J(e,mn),i=J(e,hn),a=J(e,gn),[o,s]=F(mr[0].number),[c,l]=F(!0),u=n.data?.org?.paymentMethods??[],d=r.error??i.error??a.error,f=r.data?.addPaymentMethod.nextAction;return Y($,{title:`Payment methods`,id:`pm-h`,children:[n.error?Y(X,{error:n.error}):n.loading&&!n.data?Y(Z,{what:`payment methods`}):u.length===0?Y(Q,{children:`No saved payment method. Renewals and auto-recharge charge a saved card.`}):Y(`ul`,{class:`list`,"data-testid":`payment-methods`,children:u.map(e=>Y(`li`,{children:[Y(`span`,{children:[e.brand,` `,e.last4?`•••• ${e.last4}`:``,e.expMonth&&e.expYear?` (expires ${e.expMonth}/${e.expYear})`:``,` `,e.isDefault&&Y(`span`,{class:`badge badge-ok`,children:`Default`}),` `,e.status!==`ACTIVE`&&Y(`span`,{class:`badge badge-warn`,children:e.status})]}),Y(`span`,{class:`row`,children:[!e.isDefault&&e.status===`ACTIVE`&&Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Make ${e.brand} ${e.last4??``} the default`,disabled:i.busy,onClick:async()=>await i.run({id:e.id})&&n.reload(),children:`Make default`}),Y(`button`,{type:`button`,class:`secondary`,"aria-label":`Remove ${e.brand} ${e.last4??``}`,disabled:a.busy,onClick:async()=>{confirm(`Remove ${e.brand} ${e.last4??``}?`)&&await a.run({id:e.id})&&n.reload()},children:`Remove`})]})]},e.id))}),Y(`form`,{class:`form inline`,onSubmit:async e=>{e.preventDefault(),await r.run({input:{orgId:t,gateway:`sandbox`,token:o,makeDefault:c,idempotencyKey:crypto.randomUUID()}})&&n.reload()},children:[Y(`label`,{for:`pm-card`,children:`Save a test card`}),Y(`select`,{id:`pm-card`,value:o,onChange:e=>s(e.currentTarget.value),children:mr.map(e=>Y(`option`,{value:e.number,children:e.label},e.number))}),Y(`label`,{class:`check`,children:[Y(`input`,{type:`checkbox`,checked:c,onChange:e=>l(e.currentTarget.checked)}),` Make it the default`]}),Y(`button`,{type:`submit`,disabled:r.busy,children:r.busy?`Saving…`:`Save card`})]}),f?.kind===`REDIRECT`&&f.redirectUrl&&Y(`p`,{role:`status`,children:[`The bank wants the card confirmed:`,` `,Y(`a`,{href:f.redirectUrl,target:`_blank`,rel:`noopener`,children:`open the confirm page`}),`, then reload this tab.`]}),d&&Y(X,{error:d})]})}function gr({client:e,orgId:t,currency:n,rights:r,saved:i}){let a=q(e,vn,{orgId:t},t),o=a.data?.org?.autoRecharge;return Y($,{title:`Auto-recharge`,id:`ar-h`,children:[a.error?.code===`FORBIDDEN`?Y(`p`,{class:`muted`,children:`Only the OWNER and BILLING roles see the auto-recharge settings.`}):a.error?Y(X,{error:a.error}):a.loading&&!a.data?Y(Z,{what:`auto-recharge`}):!o||!o.enabled?Y(`p`,{"data-testid":`ar-state`,children:[`Off`,r.canBuy?`: switch it on below to top up with a saved card when the balance drops below a threshold.`:`.`]}):Y(`div`,{"data-testid":`ar-state`,children:[Y(`p`,{children:[o.paused?Y(`span`,{class:`badge badge-warn`,children:[`Paused`,o.pauseReason?`: ${o.pauseReason}`:``]}):Y(`span`,{class:`badge badge-ok`,children:`On`}),` Below`,` `,Y(`span`,{"data-testid":`ar-threshold`,children:L(o.threshold)}),` credits, buys `,o.quantity,` × `,o.pack?.name??`overage credits`,o.paymentMethod?` with ${o.paymentMethod.brand} ${o.paymentMethod.last4??``}`:``,`.`]}),Y(`p`,{children:[`Spent `,z(o.spentThisPeriod),` of `,z(o.spendingLimit),` until `,R(o.periodEnd),`.`]})]}),r.canBuy&&!a.error&&a.data&&Y(_r,{client:e,orgId:t,currency:n,ar:o??void 0,saved:i,onSaved:a.reload},a.data?`loaded`:`loading`)]})}function _r({client:e,orgId:t,currency:n,ar:r,saved:i,onSaved:a}){let o=q(e,Bt,{currency:n},n),s=J(e,_n),[c,l]=F(r?.enabled??!0),[u,d]=F(r?.mode??`PACK`),[f,p]=F(String(r?.threshold??1e6)),[m,h]=F(r?.pack?.id??``),[g,_]=F(r?.quantity??1),[v,y]=F(r?r.spendingLimit.amount:``),[b,x]=F(r?.paymentMethod?.id??``),[C,w]=F(!1),T=(o.data?.packs??[]).filter(e=>!e.custom&&e.price&&e.validity!==`RECURRING`),E=m||T[0]?.id||``,D=i.filter(e=>e.kind===`CARD`&&e.status===`ACTIVE`),O=e=>s.error?.code===`INVALID_INPUT`&&s.error.field?.toLowerCase().endsWith(e.toLowerCase()),k=async e=>{e.preventDefault(),w(!1);let n=v.trim()===``?void 0:Math.round(Number(v)*100);await s.run({input:{orgId:t,enabled:c,mode:c?u:void 0,threshold:c?Number(f):void 0,packId:c&&u===`PACK`&&E||void 0,quantity:c&&u===`PACK`?g:void 0,spendingLimitMinor:c&&n!==void 0&&!Number.isNaN(n)?n:void 0,paymentMethodId:c&&b||void 0,idempotencyKey:crypto.randomUUID()}})&&(w(!0),a())},A=`ar-error`,j=e=>O(e)?{"aria-invalid":!0,"aria-describedby":A}:{};return Y(`form`,{class:`form`,onSubmit:k,"aria-labelledby":`ar-form-h`,"data-testid":`ar-form`,children:[Y(`h3`,{id:`ar-form-h`,children:`Settings`}),Y(`label`,{class:`check`,children:[Y(`input`,{id:`ar-enabled`,type:`checkbox`,checked:c,onChange:e=>l(e.currentTarget.checked)}),` Top up automatically`]}),Y(`fieldset`,{disabled:!c,children:[Y(`label`,{for:`ar-threshold`,children:`When the balance drops below (credits)`}),Y(`input`,{id:`ar-threshold`,type:`number`,inputMode:`numeric`,value:f,onInput:e=>p(e.currentTarget.value),...j(`threshold`)}),Y(`label`,{for:`ar-mode`,children:`Buy`}),Y(`select`,{id:`ar-mode`,value:u,onChange:e=>d(e.currentTarget.value),...j(`mode`),children:[Y(`option`,{value:`PACK`,children:`A pack`}),Y(`option`,{value:`OVERAGE`,children:`Overage credits at the plan's price (paid plans)`})]}),u===`PACK`&&Y(S,{children:[Y(`label`,{for:`ar-pack`,children:`Pack`}),Y(`select`,{id:`ar-pack`,value:E,onChange:e=>h(e.currentTarget.value),...j(`packId`),children:T.map(e=>Y(`option`,{value:e.id,children:[e.name,`: `,L(e.credits),` credits, `,z(e.price)]},e.id))}),Y(`label`,{for:`ar-qty`,children:`Packs per top-up`}),Y(`input`,{id:`ar-qty`,type:`number`,min:1,max:100,value:g,onInput:e=>_(Math.max(1,Number(e.currentTarget.value)||1)),...j(`quantity`)})]}),Y(`label`,{for:`ar-limit`,children:[`Spending limit per period (`,n,`, empty for the default)`]}),Y(`input`,{id:`ar-limit`,type:`text`,inputMode:`decimal`,value:v,onInput:e=>y(e.currentTarget.value),...j(`spendingLimitMinor`)}),Y(`label`,{for:`ar-pm`,children:`Card to charge`}),Y(`select`,{id:`ar-pm`,value:b,onChange:e=>x(e.currentTarget.value),...j(`paymentMethodId`),children:[Y(`option`,{value:``,children:`The default payment method`}),D.map(e=>Y(`option`,{value:e.id,children:[e.brand,` `,e.last4??``,e.isDefault?` (default)`:``]},e.id))]})]}),Y(`button`,{type:`submit`,disabled:s.busy,children:s.busy?`Saving…`:`Save auto-recharge`}),Y(`div`,{"aria-live":`polite`,children:[C&&!s.error&&Y(`p`,{class:`notice notice-ok`,role:`status`,"data-testid":`ar-saved`,children:`Saved.`}),s.error&&Y(`div`,{id:A,children:Y(X,{error:s.error})})]})]})}function vr({onToken:e}){let[t,n]=F(``),[r,i]=F(`ada@example.com`),[a,o]=F(``),[s,c]=F(),[l,u]=F(!1);return Y(`main`,{id:`main`,class:`signin`,children:[Y(`h1`,{children:`Sign in to billing`}),Y(`p`,{class:`muted`,children:[`In production the app that embeds this page signs people in with your identity provider. For development, paste a token (`,Y(`code`,{children:`tally token --email you@example.com`}),`) or mint one here.`]}),Y(`div`,{class:`grid2`,children:[Y(`form`,{class:`card`,onSubmit:async t=>{t.preventDefault(),u(!0),c(void 0);try{let t=await Hn(r,a);t?e(t):c(`This server does not mint development tokens (it runs in production or with its own TALLY_JWT_SECRET). Paste a token instead.`)}catch(e){c(`Could not mint a token: ${e.message}`)}finally{u(!1)}},"aria-labelledby":`mint-h`,children:[Y(`h2`,{id:`mint-h`,children:`Development sign-in`}),Y(`label`,{for:`dev-email`,children:`Email`}),Y(`input`,{id:`dev-email`,type:`email`,required:!0,value:r,onInput:e=>i(e.currentTarget.value),autocomplete:`email`}),Y(`label`,{for:`dev-name`,children:`Name (optional)`}),Y(`input`,{id:`dev-name`,value:a,onInput:e=>o(e.currentTarget.value),autocomplete:`name`}),Y(`button`,{type:`submit`,disabled:l,children:l?`Signing in…`:`Sign in with a development token`})]}),Y(`form`,{class:`card`,"aria-labelledby":`paste-h`,onSubmit:n=>{n.preventDefault(),t.trim()&&e(t.trim().replace(/^bearer\s+/i,``))},children:[Y(`h2`,{id:`paste-h`,children:`Paste a token`}),Y(`label`,{for:`paste-token`,children:`Token`}),Y(`textarea`,{id:`paste-token`,rows:4,required:!0,value:t,onInput:e=>n(e.currentTarget.value),spellcheck:!1}),Y(`button`,{type:`submit`,children:`Sign in with this token`})]})]}),s&&Y(`div`,{class:`notice notice-error`,role:`alert`,children:s})]})}function yr({client:e,orgId:t}){let n=J(e,bn),[r,i]=F(1e3),[a,o]=F(`billing page test`);return Y($,{title:`Spend credits`,id:`spend-h`,children:[Y(`p`,{class:`muted`,children:`Your product spends credits with consumeCredits; try one here and watch the balance above.`}),Y(`form`,{class:`form inline`,onSubmit:e=>{e.preventDefault(),n.run({input:{orgId:t,amount:r,reason:a,idempotencyKey:crypto.randomUUID()}})},children:[Y(`label`,{for:`spend-amount`,children:`Credits to spend`}),Y(`input`,{id:`spend-amount`,type:`number`,min:1,step:1,required:!0,value:r,onInput:e=>i(Math.max(1,Math.floor(Number(e.currentTarget.value)||1)))}),Y(`label`,{for:`spend-reason`,children:`Reason`}),Y(`input`,{id:`spend-reason`,maxLength:200,value:a,onInput:e=>o(e.currentTarget.value)}),Y(`button`,{type:`submit`,disabled:n.busy,children:`Spend`})]}),n.error&&Y(X,{error:n.error}),n.data&&!n.error&&Y(`p`,{role:`status`,children:[`Spent `,L(n.data.consumeCredits.entry.amount<0?-n.data.consumeCredits.entry.amount:n.data.consumeCredits.entry.amount),` credits;`,` `,L(n.data.consumeCredits.entry.balanceAfter),` left.`]})]})}var br=[{id:`balance`,label:`Balance`},{id:`buy`,label:`Buy credits`},{id:`cart`,label:`Checkout`},{id:`orders`,label:`Orders & invoices`},{id:`members`,label:`Members`},{id:`keys`,label:`API keys`},{id:`plan`,label:`Plan & usage`}];function xr(){let e=location.hash.replace(/^#/,``);return br.find(t=>t.id===e)?.id??`balance`}function Sr(e){return{role:e,canBuy:e===`OWNER`||e===`BILLING`,canManage:e===`OWNER`||e===`ADMIN`}}function Cr(){let[e,t]=F(Ln()),n=Ee(()=>e?Vn(e):void 0,[e]);return I(()=>()=>n?.dispose(),[n]),n?Y(wr,{client:n,signOut:()=>{Rn(void 0),Bn(void 0),t(void 0)}}):Y(vr,{onToken:e=>{Rn(e),t(e)}})}function wr({client:e,signOut:t}){let n=q(e,It,{},`viewer`),[r,i]=F(zn());if(n.loading&&!n.data)return Y(Tr,{signOut:t,children:Y(Z,{what:`your account`})});if(n.error)return Y(Tr,{signOut:t,children:[Y(X,{error:n.error}),Y(`button`,{type:`button`,onClick:t,children:`Sign in again`})]});let a=n.data.viewer,o=a.memberships.find(e=>e.org.id===r)??a.memberships[0],s=e=>{Bn(e),i(e)};return Y(Tr,{signOut:t,user:a.user,children:[a.memberships.length>0&&Y(`div`,{class:`orgbar`,children:[Y(`label`,{for:`org-select`,children:`Organization`}),Y(`select`,{id:`org-select`,value:o?.org.id,onChange:e=>s(e.currentTarget.value),children:a.memberships.map(e=>Y(`option`,{value:e.org.id,children:[e.org.name,` (`,e.role,`)`]},e.org.id))})]}),o?Y(Er,{client:e,membership:o},o.org.id):Y(er,{client:e,onCreated:e=>{s(e),n.reload()}})]})}function Tr({children:e,signOut:t,user:n}){return Y(S,{children:[Y(`header`,{class:`topbar`,children:[Y(`a`,{class:`skip`,href:`#main`,children:`Skip to content`}),Y(`span`,{class:`brand`,children:`Tally billing`}),n&&Y(`span`,{class:`who`,children:n.name||n.email}),Y(`button`,{type:`button`,class:`link`,onClick:t,children:`Sign out`})]}),Y(`main`,{id:`main`,children:e})]})}function Er({client:e,membership:t}){let n=t.org.id,r=Sr(t.role),[i,a]=F(xr());I(()=>{let e=()=>a(xr());return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]);let o=q(e,Rt,{orgId:n},n);I(()=>{let e=()=>o.reload();return addEventListener(Pn,e),()=>removeEventListener(Pn,e)},[o.reload]);let[s,c]=F({connected:!1});I(()=>{c({connected:!1});let t=e.onSocket(e=>c(t=>({...t,connected:e===`connected`}))),r=e.subscribe(zt,{orgId:n},{next:e=>{let t=e.balanceUpdated.entry;c({balance:e.balanceUpdated.balance,connected:!0,last:t?`${t.kind} ${L(t.amount)}${t.reason?` (${t.reason})`:``}`:void 0})},error:()=>c(e=>({...e,connected:!1}))});return()=>{r(),t()}},[e,n]);let l=o.data?.org?.balance,u=s.balance&&(!l||s.balance.updatedAt>=l.updatedAt)?s.balance:l,d=o.data?.org,f=e=>{history.replaceState(null,``,`#${e}`),a(e)},p=(e,t)=>{let n=-1;e.key===`ArrowRight`&&(n=(t+1)%br.length),e.key===`ArrowLeft`&&(n=(t-1+br.length)%br.length),e.key===`Home`&&(n=0),e.key===`End`&&(n=br.length-1),n>=0&&(e.preventDefault(),f(br[n].id),document.getElementById(`tab-${br[n].id}`)?.focus())};return Y(S,{children:[Y(`div`,{class:`orghead`,children:[Y(`h1`,{children:t.org.name}),Y(`p`,{class:`muted`,children:[`Your role: `,Y(`strong`,{"data-testid":`role`,children:t.role}),` · `,t.org.country,` · `,t.org.currency,d&&d.status!==`ACTIVE`&&Y(S,{children:[` `,`· `,Y(`span`,{class:`badge badge-warn`,children:d.status})]})]}),u&&Y(`p`,{class:`total`,"aria-live":`polite`,"data-testid":`balance-card`,"data-live":s.connected?`subscribed`:`connecting`,children:[`Balance: `,Y(`strong`,{"data-testid":`balance-total`,children:L(u.total)}),` credits`]})]}),Y(`div`,{role:`tablist`,"aria-label":`Billing sections`,class:`tabs`,children:br.map((e,t)=>Y(`button`,{id:`tab-${e.id}`,role:`tab`,type:`button`,"aria-selected":i===e.id,"aria-controls":i===e.id?`panel-${e.id}`:void 0,tabIndex:i===e.id?0:-1,onClick:()=>f(e.id),onKeyDown:e=>p(e,t),children:e.label},e.id))}),Y(`div`,{role:`tabpanel`,id:`panel-${i}`,"aria-labelledby":`tab-${i}`,tabIndex:0,class:`panel`,children:[i===`balance`&&(o.error?Y(X,{error:o.error}):u?Y(S,{children:[Y(Tn,{balance:u,live:s.connected,last:s.last}),Y(yr,{client:e,orgId:n})]}):Y(Z,{what:`the balance`})),i===`buy`&&d&&Y(S,{children:[Y(Wn,{client:e,orgId:n,currency:d.currency,rights:r}),Y(Kn,{client:e,orgId:n,currency:d.currency,rights:r})]}),i===`buy`&&!d&&(o.error?Y(X,{error:o.error}):Y(Z,{what:`the organization`})),i===`cart`&&Y(Yn,{client:e,orgId:n,country:t.org.country,rights:r}),i===`orders`&&Y(rr,{client:e,orgId:n,rights:r}),i===`members`&&Y(Qn,{client:e,orgId:n,rights:r}),i===`keys`&&Y(Sn,{client:e,orgId:n,rights:r}),i===`plan`&&Y(ar,{client:e,orgId:n,currency:t.org.currency,rights:r})]})]})}de(Y(Cr,{}),document.getElementById(`app`));