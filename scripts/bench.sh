#!/usr/bin/env bash
# bench.sh runs Tally's load benchmark from nothing (`make bench`): a fresh
# PostgreSQL database, a production-mode server built from this tree, then
# `tally bench` against it (Tally debits vs pgbench on the same PostgreSQL,
# then batched usage events/s next to the debit rate, totals checked).
#
# Environment:
#   BENCH_DATABASE_URL  database to (re)create for the server
#                       (default postgres://postgres@127.0.0.1:5432/tally_bench?sslmode=disable)
#   BENCH_CLIENTS, BENCH_ORGS, BENCH_DURATION, BENCH_WARMUP
#                       load shape (defaults 64, 1000, 20s, 3s)
#   PGBENCH             pgbench binary (default pgbench)
# Extra arguments are passed to `tally bench`.
set -euo pipefail

cd "$(dirname "$0")/.."

DB_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tally_bench?sslmode=disable}"
CLIENTS="${BENCH_CLIENTS:-64}"
ORGS="${BENCH_ORGS:-1000}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-3s}"
PGBENCH="${PGBENCH:-pgbench}"

for tool in go psql "$PGBENCH" ps curl; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done

TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# The server's database: dropped and created on the same PostgreSQL.
base="${DB_URL%%\?*}"
query="${DB_URL#"$base"}"
dbname="${base##*/}"
admin_url="${base%/*}/postgres${query}"
echo "bench: fresh database $dbname"
psql "$admin_url" -q -v ON_ERROR_STOP=1 \
	-c "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" \
	-c "CREATE DATABASE \"$dbname\""

echo "bench: building tally"
go build -o "$TMP/tally" ./cmd/tally

export DATABASE_URL="$DB_URL"
export TALLY_ENV=production
export TALLY_LOG_LEVEL=warn
TALLY_JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TALLY_JWT_SECRET

"$TMP/tally" migrate

# A free port: bind to port 0 and read what the kernel chose.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)))"
URL="http://127.0.0.1:$PORT"
TALLY_ADDR="127.0.0.1:$PORT" "$TMP/tally" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
	if curl -fsS "$URL/readyz" >/dev/null 2>&1; then
		break
	fi
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "bench: server exited:" >&2
		cat "$TMP/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
curl -fsS "$URL/readyz" >/dev/null || { echo "bench: server not ready at $URL" >&2; cat "$TMP/server.log" >&2; exit 1; }

sleep 1 # let start-up garbage settle before measuring idle memory
echo "bench: server pid $SERVER_PID on $URL, idle RSS $(ps -o rss= -p "$SERVER_PID" | tr -d ' ') KiB (ps)"
echo

status=0
"$TMP/tally" bench \
	--url "$URL" \
	--database-url "$DB_URL" \
	--clients "$CLIENTS" \
	--orgs "$ORGS" \
	--duration "$DURATION" \
	--warmup "$WARMUP" \
	--pgbench "$PGBENCH" \
	--server-pid "$SERVER_PID" \
	"$@" || status=$?

kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
if [[ -s "$TMP/server.log" ]]; then
	echo "bench: server log (warnings and errors):"
	tail -n 50 "$TMP/server.log"
fi
exit "$status"
