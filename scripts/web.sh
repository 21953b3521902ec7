#!/usr/bin/env bash
# Builds the billing page and its typed client (cmd/tally/web, README
# "Billing page"): installs the Node.js packages exactly as package-lock.json
# pins them (npm ci, from the npm registry), regenerates the typed GraphQL
# operations from graph/schema (src/gql/), type-checks and builds the page
# into dist/, which the Go binary embeds.
#
#   scripts/web.sh          build (make web)
#   scripts/web.sh check    build, run the unit tests (vitest), and fail when
#                           the generated code or the build differs from what
#                           is committed (CI; make web-check)
set -euo pipefail

cd "$(dirname "$0")/../cmd/tally/web"
mode=${1:-build}

# Vite 8 needs Node.js 20.19 or newer.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "scripts/web.sh: Node.js 20.19 or newer with npm is needed (node and npm not found)" >&2
	exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
	echo "scripts/web.sh: Node.js 20.19 or newer is needed, found $(node --version)" >&2
	exit 1
fi

npm ci --no-audit --no-fund --loglevel=error
npm run --silent codegen
npm run --silent build

case "$mode" in
build) ;;
check)
	npm test
	changed=$(git status --porcelain --untracked-files=all -- src/gql dist)
	if [ -n "$changed" ]; then
		echo "the billing page's generated code or build differs from what is committed; run make web and commit:" >&2
		echo "$changed" >&2
		git --no-pager diff --stat -- src/gql dist >&2
		exit 1
	fi
	;;
*)
	echo "usage: scripts/web.sh [build|check]" >&2
	exit 2
	;;
esac
