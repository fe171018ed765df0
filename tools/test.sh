#!/usr/bin/env bash
# The test command (npm test): type-check with strict settings, then the mocha suites.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
# promtool, amtool and alertmanager for the SRE tests (Debian packages; skipped when present).
bash tools/install-prometheus-tools.sh
# Helm 3 and the pinned chart packages for the render checks (mirror, else the chart repositories).
bash tools/install-helm.sh
npm run --silent charts
# The static checks run side by side, each on its own core for most of its time: the strict
# type-check, import directions and cycles (.dependency-cruiser.js), dead code: exports nothing
# imports, unused files and dependencies (knip.jsonc). A failing one's output is shown.
checks=$(mktemp -d "${TMPDIR:-/tmp}/npm-test-checks.XXXXXX")
check() {
  local name=$1
  shift
  "$@" >"$checks/$name" 2>&1 || { echo "$name failed:" >&2; cat "$checks/$name" >&2; return 1; }
}
check tsc node_modules/.bin/tsc --noEmit -p . &
tsc_pid=$!
check deps npm run --silent deps &
deps_pid=$!
check knip npm run --silent knip &
knip_pid=$!
failed=0
for pid in $tsc_pid $deps_pid $knip_pid; do wait "$pid" || failed=1; done
rm -rf "$checks"
[ "$failed" -eq 0 ] || exit 1
# Plans and Helm renders are computed once for the whole run and shared by its processes
# (tools/run-cache.ts), in a folder removed when the run ends.
RUN_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/npm-test-run.XXXXXX")
export RUN_CACHE_DIR
trap 'rm -rf "$RUN_CACHE_DIR"' EXIT
# tsc has just checked every file: ts-node only strips the types (with swc, tsconfig.json). Two files
# at a time, one per core of the 2-core machines this runs on (three at a time measured no faster).
TS_NODE_TRANSPILE_ONLY=true npx mocha --parallel --jobs 2 "$@"
