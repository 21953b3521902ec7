// Uses a running tally server the way a single-page app does: Apollo
// Client with an HttpLink for queries and mutations and a GraphQLWsLink
// (the reference graphql-ws client underneath) for subscriptions, plus the
// graphql-ws client on its own. It creates an org, reads its balance,
// watches balanceUpdated on both clients, spends, and checks that both
// subscriptions push the new balance and that a refused document reaches
// Apollo as GraphQL errors.
//
//   TALLY_URL=http://127.0.0.1:8080 TALLY_TOKEN=… TALLY_ORIGIN=http://app.example node spa.mjs
//
// Exits 0 when every step held, 1 (with the step that failed) otherwise.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const base = process.env.TALLY_URL;
const token = process.env.TALLY_TOKEN;
const origin = process.env.TALLY_ORIGIN;
if (!base || !token || !origin) {
  console.error('TALLY_URL, TALLY_TOKEN and TALLY_ORIGIN must be set');
  process.exit(2);
}
const authorization = `Bearer ${token}`;

// A browser sends its page's Origin with the websocket handshake.
class BrowserWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { origin });
  }
}

// wsClient is a graphql-ws client that signs in with connection_init.
function wsClient() {
  return createClient({
    url: `${base.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: BrowserWebSocket,
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: 0,
  });
}

const sockets = [wsClient(), wsClient()];
const http = new HttpLink({ uri: `${base}/graphql`, headers: { authorization, origin } });
const ws = new GraphQLWsLink(sockets[0]);
const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: ApolloLink.split(({ query }) => {
    const def = getMainDefinition(query);
    return def.kind === 'OperationDefinition' && def.operation === 'subscription';
  }, ws, http),
});

function check(cond, what) {
  if (!cond) throw new Error(what);
  console.log(`ok    ${what}`);
}

// openSubscriptions reads how many subscriptions the server counts open
// (development servers serve /metrics).
async function openSubscriptions() {
  const res = await fetch(`${base}/metrics`);
  const m = (await res.text()).match(/^tally_graphql_active_subscriptions (\d+)/m);
  return m ? Number(m[1]) : 0;
}

// waitOpen waits until the server counts n open subscriptions, so that a
// spend after it is pushed to them.
async function waitOpen(n) {
  for (let i = 0; i < 1000; i++) {
    if ((await openSubscriptions()) >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the server did not count ${n} open subscriptions`);
}

// nextEvent resolves with the first event of a subscription, or rejects
// with its error or when it ends without one.
// nextEvent resolves with a subscription's second message: the first is
// the balance it starts from (kept as first).
function nextEvent(subscribe) {
  let stop;
  const out = { first: undefined };
  const p = new Promise((resolve, reject) => {
    stop = subscribe({
      next: (v) => {
        if (out.first === undefined) {
          out.first = v;
          return;
        }
        resolve(v);
      },
      error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
      complete: () => reject(new Error('the subscription ended without an event')),
    });
  });
  out.event = p;
  out.stop = () => stop();
  return out;
}

const BALANCE_UPDATED = gql`
  subscription Watch($org: ID!) {
    balanceUpdated(orgId: $org) { balance { total } entry { kind amount reason } }
  }
`;

try {
  // A mutation and a query over HTTP.
  const created = await client.mutate({
    mutation: gql`mutation { createOrg(input: {name: "SPA", country: "DE", currency: EUR}) { org { id name } } }`,
  });
  const org = created.data.createOrg.org.id;
  check(org && created.data.createOrg.org.name === 'SPA', `Apollo: createOrg over HTTP made org ${org}`);

  const read = await client.query({
    query: gql`query Balance($org: ID!) { org(id: $org) { id balance { total } } }`,
    variables: { org },
    fetchPolicy: 'network-only',
  });
  const before = read.data.org.balance.total;
  check(before > 0, `Apollo: query over HTTP read the sign-up balance ${before}`);

  // Live balanceUpdated, once through Apollo's GraphQLWsLink and once
  // through the graphql-ws client alone.
  const viaApollo = nextEvent((sink) => {
    const sub = client.subscribe({ query: BALANCE_UPDATED, variables: { org } }).subscribe(sink);
    return () => sub.unsubscribe();
  });
  const viaWs = nextEvent((sink) => sockets[1].subscribe({ query: BALANCE_UPDATED.loc.source.body, variables: { org } }, sink));
  await waitOpen(2);

  const spent = await client.mutate({
    mutation: gql`mutation Spend($org: ID!) {
      consumeCredits(input: {orgId: $org, amount: 250, idempotencyKey: "spa-1", reason: "spa"}) { balance { total } }
    }`,
    variables: { org },
  });
  const after = spent.data.consumeCredits.balance.total;
  check(after === before - 250, `Apollo: consumeCredits over HTTP left ${after}`);

  for (const [name, sub] of [['Apollo GraphQLWsLink', viaApollo], ['graphql-ws client', viaWs]]) {
    const ev = await sub.event;
    sub.stop();
    check(!sub.first.errors && sub.first.data.balanceUpdated.balance.total === before && sub.first.data.balanceUpdated.entry === null,
      `${name}: balanceUpdated started with the balance ${JSON.stringify(sub.first.data?.balanceUpdated ?? sub.first)}`);
    check(!ev.errors && ev.data.balanceUpdated.balance.total === after &&
      ev.data.balanceUpdated.entry.kind === 'CONSUME' && ev.data.balanceUpdated.entry.amount === -250,
      `${name}: balanceUpdated pushed ${JSON.stringify(ev.data?.balanceUpdated ?? ev)}`);
  }

  // A refused document: application/graphql-response+json (what Apollo
  // asks for first) answers 400, which Apollo still reads as GraphQL errors.
  try {
    await client.query({ query: gql`{ viewer { nope } }`, fetchPolicy: 'network-only' });
    check(false, 'Apollo: a refused document failed');
  } catch (e) {
    check(CombinedGraphQLErrors.is(e) && e.errors[0]?.extensions?.code === 'INVALID_INPUT',
      `Apollo: a refused document comes back as GraphQL errors (${e.errors?.[0]?.extensions?.code ?? e})`);
  }
} catch (e) {
  console.error(`FAIL  ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  client.stop();
  await Promise.all(sockets.map((s) => s.dispose()));
}
