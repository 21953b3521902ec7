#!/usr/bin/env bash
# graphiql-assets.sh refreshes the GraphiQL page's vendored browser files
# (`make graphiql-assets`): it fetches the pinned npm packages with
# `npm pack`, copies their minified builds and licenses into
# graph/graphiql/vendor/, and writes vendor/VERSIONS (package, version,
# file, sha256), which a test checks against the files.
#
# The server embeds these files, so GraphiQL works offline and behind a
# firewall. To upgrade, change a version below, run the script, open
# http://localhost:8080/ and commit the result. GraphiQL 5 ships no
# browser bundle (ES modules only) and React 19 no UMD builds, hence 4.x
# and 18.x here.
#
# Needs npm and tar.
set -euo pipefail

GRAPHIQL_VERSION=4.1.2
REACT_VERSION=18.2.0

cd "$(dirname "$0")/.."
DEST=graph/graphiql/vendor

for tool in npm tar sha256sum; do
	command -v "$tool" >/dev/null || { echo "graphiql-assets: $tool not found" >&2; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch PACKAGE VERSION: unpack PACKAGE@VERSION into $TMP/PACKAGE.
fetch() {
	local pkg="$1" ver="$2" tgz
	tgz="$(cd "$TMP" && npm pack --silent "$pkg@$ver")"
	mkdir -p "$TMP/$pkg"
	tar -xzf "$TMP/$tgz" -C "$TMP/$pkg" --strip-components=1
}

fetch graphiql "$GRAPHIQL_VERSION"
fetch react "$REACT_VERSION"
fetch react-dom "$REACT_VERSION"

rm -rf "$DEST"
mkdir -p "$DEST"
# package version source-path destination-name
FILES=(
	"graphiql $GRAPHIQL_VERSION graphiql.min.js graphiql.min.js"
	"graphiql $GRAPHIQL_VERSION graphiql.min.css graphiql.min.css"
	"graphiql $GRAPHIQL_VERSION LICENSE graphiql.LICENSE"
	"react $REACT_VERSION umd/react.production.min.js react.production.min.js"
	"react $REACT_VERSION LICENSE react.LICENSE"
	"react-dom $REACT_VERSION umd/react-dom.production.min.js react-dom.production.min.js"
	"react-dom $REACT_VERSION LICENSE react-dom.LICENSE"
)
{
	echo "# Written by scripts/graphiql-assets.sh; do not edit. package version file sha256"
	for entry in "${FILES[@]}"; do
		read -r pkg ver src name <<<"$entry"
		cp "$TMP/$pkg/$src" "$DEST/$name"
		echo "$pkg $ver $name $(sha256sum "$DEST/$name" | cut -d' ' -f1)"
	done
} >"$DEST/VERSIONS"
echo "graphiql-assets: GraphiQL $GRAPHIQL_VERSION, React $REACT_VERSION in $DEST"
