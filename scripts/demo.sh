#!/usr/bin/env bash
# The main job, end to end: build, start vivariumd, run the example suites
# against it, show what the kernel saw, and one sandbox violation caught.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
VIVARIUMD=(node packages/daemon/bin/vivariumd.js)
export VIVARIUM_BPF_PIN_DIR=/sys/fs/bpf/vivarium-demo

say "start vivariumd (pin dir $VIVARIUM_BPF_PIN_DIR)"
"${VIVARIUMD[@]}" stop >/dev/null 2>&1 || true
log=$(mktemp)
"${VIVARIUMD[@]}" >"$log" 2>&1 &
daemon=$!
trap '"${VIVARIUMD[@]}" stop >/dev/null 2>&1 || kill $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'ready:' "$log" && break; kill -0 $daemon 2>/dev/null || break; sleep 0.1; done
cat "$log"
grep -q 'ready:' "$log" || { echo "demo: vivariumd did not start" >&2; exit 1; }

for example in examples/vitest-basic examples/jest-basic; do
  [ -d "$example" ] || continue
  say "run $example"
  (cd "$example" && npm test --silent)
done

say "a sandbox violation, caught (examples/vitest-basic/demo/violation.test.ts, expected to fail)"
(cd examples/vitest-basic && npx vitest run demo/ 2>&1 | sed -n '/FAIL/,/⎯⎯⎯\[1\/1\]/p' | head -30) || true
say "the same violation under Jest (examples/jest-basic/demo)"
(cd examples/jest-basic && npx jest demo/ 2>&1 | sed -n "/●/,/Received/p" | head -12) || true

say "vivariumd status"
"${VIVARIUMD[@]}" status
