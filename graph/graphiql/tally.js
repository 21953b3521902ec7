// Starts GraphiQL on the page Tally serves at / outside production. It lives
// in a file of its own, not inline, so that the page's Content-Security-Policy
// allows scripts from this server only.
//
// Queries and mutations go to the endpoint over HTTP, subscriptions over a
// websocket (graphql-transport-ws). Headers typed into GraphiQL's headers pane,
// such as {"Authorization": "Bearer …"}, are sent with every HTTP request and
// in the websocket's connection_init payload, which is where Tally reads a
// subscription's credential.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var path = root.getAttribute('data-endpoint');
  var wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: location.protocol + '//' + location.host + path,
    subscriptionUrl: wsScheme + '//' + location.host + path
  });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
      defaultQuery: '# Welcome to Tally. Mint a token:\n' +
        '#   tally token --email you@example.com\n' +
        '# and add it under Headers below:\n' +
        '#   {"Authorization": "Bearer <token>"}\n' +
        '{\n  viewer {\n    user { email }\n    memberships { role org { id name } }\n  }\n}\n'
    })
  );
})();
