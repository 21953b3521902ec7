// Runs the GraphQL over HTTP audit suite of graphql-http (serverAudits)
// against a running tally server, every request with a bearer token.
//
//   TALLY_URL=http://127.0.0.1:8080 TALLY_TOKEN=… node audit.mjs
//
// Prints one line per audit and a last line "summary {…}" with the counts
// (JSON). Exits 1 when any MUST or SHOULD audit fails; a failed MAY audit
// is printed but allowed (Tally declines operations over GET on purpose).
import { serverAudits } from 'graphql-http';

const base = process.env.TALLY_URL;
const token = process.env.TALLY_TOKEN;
if (!base || !token) {
  console.error('TALLY_URL and TALLY_TOKEN must be set');
  process.exit(2);
}

// fetchFn sends the token with every request the audits make.
function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const counts = { ok: 0, MUST: 0, SHOULD: 0, MAY: 0 };
let failed = false;
for (const audit of serverAudits({ url: `${base}/graphql`, fetchFn })) {
  const res = await audit.fn();
  const level = audit.name.split(' ')[0];
  if (res.status === 'ok') {
    counts.ok++;
    console.log(`ok    ${audit.id} ${audit.name}`);
    continue;
  }
  counts[level]++;
  if (level !== 'MAY') failed = true;
  let body = '';
  try {
    body = await res.response.text();
  } catch {
    // the audit read the body already
  }
  console.log(`FAIL  ${audit.id} ${audit.name}: ${res.reason}` +
    ` (status ${res.response.status}, content-type ${res.response.headers.get('content-type')}) ${body.slice(0, 300)}`);
}
console.log(`summary ${JSON.stringify(counts)}`);
process.exit(failed ? 1 : 0);
