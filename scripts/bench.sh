#!/usr/bin/env bash
# bench.sh runs Tally's load benchmark from nothing (`make bench`): a fresh
# PostgreSQL database, the tally binary built from this tree, then
# `tally bench`, which starts production-mode servers from that binary (on
# the fresh database, on a temporary SQLite file and on a seeded scratch
# database next to it), runs every scenario and prints one table with
# each figure's ratio to what it is compared with (README, Performance).
#
# Environment:
#   BENCH_SIZE          full (default) or small: every scenario at a tiny
#                       size, in seconds (the code paths, not the figures)
#   BENCH_DATABASE_URL  database to (re)create for the main server
#                       (default postgres://postgres@127.0.0.1:5432/tally_bench?sslmode=disable)
#   BENCH_CLIENTS, BENCH_ORGS, BENCH_DURATION, BENCH_WARMUP
#                       load shape (full: 64, 1000, 20s, 3s)
#   BENCH_SUBSCRIBERS, BENCH_SUBSCRIBER_ORGS
#                       websocket subscribers and their orgs (full: 10000, 1000)
#   BENCH_SQLITE_ORGS   the many-orgs side of the SQLite runs (full: 100)
#   BENCH_GROWTH_ORGS   org counts of the cost-growth runs (full: 10,1000,100000)
#   BENCH_SEED_ENTRIES  ledger entries seeded for them (full: 10000000)
#   BENCH_ONLY          just these scenarios, comma-separated: ceiling, debits,
#                       reads, subscribers, usage, sqlite, growth (default all)
#   BENCH_PROFILE       a directory: save the servers' CPU profile of every
#                       measured run there (<run>.pprof) and sum each up
#   PGBENCH             pgbench binary (default pgbench)
# Extra arguments are passed to `tally bench`.
set -euo pipefail

cd "$(dirname "$0")/.."

DB_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tally_bench?sslmode=disable}"
PGBENCH="${PGBENCH:-pgbench}"

for tool in go psql "$PGBENCH"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done

# Every websocket subscriber holds a descriptor in the bench and one in the
# server: raise the soft limit to the hard one (the servers inherit it).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "bench: open files limit $(ulimit -n)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The main database: dropped and created on the same PostgreSQL.
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

args=(--pgbench "$PGBENCH")
case "${BENCH_SIZE:-full}" in
full) ;;
small) args+=(--small) ;;
*) echo "bench: BENCH_SIZE must be full or small" >&2; exit 1 ;;
esac
opt() { [[ -n "${2:-}" ]] && args+=("$1" "$2") || true; }
opt --clients "${BENCH_CLIENTS:-}"
opt --orgs "${BENCH_ORGS:-}"
opt --duration "${BENCH_DURATION:-}"
opt --warmup "${BENCH_WARMUP:-}"
opt --subscribers "${BENCH_SUBSCRIBERS:-}"
opt --subscriber-orgs "${BENCH_SUBSCRIBER_ORGS:-}"
opt --sqlite-orgs "${BENCH_SQLITE_ORGS:-}"
opt --growth-orgs "${BENCH_GROWTH_ORGS:-}"
opt --seed-entries "${BENCH_SEED_ENTRIES:-}"
opt --only "${BENCH_ONLY:-}"
opt --profile "${BENCH_PROFILE:-}"

DATABASE_URL="$DB_URL" "$TMP/tally" bench "${args[@]}" "$@"
