#!/usr/bin/env bash
# Every test: unit, end to end against the real daemon (both adapters),
# reliability, and the VM matrix when present. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

reports=$(mktemp -d)
status=0
run() {
  local name=$1; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  "$@" || status=1
}

run "unit tests" npx vitest run --project unit --reporter=default --reporter=json --outputFile="$reports/unit.json"
run "end-to-end tests (real daemon, Vitest and Jest)" npx vitest run --project e2e --reporter=default --reporter=json --outputFile="$reports/e2e.json"
run "reliability tests (no silent loss, containers, unprivileged workers, restarts, version skew)" npx vitest run --project reliability --reporter=default --reporter=json --outputFile="$reports/reliability.json"
if [ -f test/vm/matrix.mjs ]; then
  run "VM matrix ({syscalls, lsm} × Debian 6.1, 6.12)" node test/vm/matrix.mjs --summary "$reports/vm.json"
fi

node scripts/summarize-tests.mjs "$reports"/*.json || status=1
exit $status
