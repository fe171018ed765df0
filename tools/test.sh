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
npx tsc --noEmit -p .
# Import directions and cycles (.dependency-cruiser.js).
npm run --silent deps
# Dead code: exports nothing imports, unused files and dependencies (knip.jsonc).
npm run --silent knip
# Plans and Helm renders are computed once for the whole run and shared by its processes
# (tools/run-cache.ts), in a folder removed when the run ends.
RUN_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/npm-test-run.XXXXXX")
export RUN_CACHE_DIR
trap 'rm -rf "$RUN_CACHE_DIR"' EXIT
# tsc has just checked every file: ts-node only strips the types. Two files at a time, one per core
# of the 2-core machines this runs on (4 min sequential, about 3 min 10 s in parallel, measured).
TS_NODE_TRANSPILE_ONLY=true npx mocha --parallel --jobs 2 "$@"
