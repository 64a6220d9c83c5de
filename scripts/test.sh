#!/usr/bin/env bash
# npm test: install what is missing, bring up the real infrastructure, type-check, run every mocha suite.
# Arguments name the suites to run (e.g. `npm test -- 'services/users/test/**/*.test.ts'`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

started=$SECONDS
ensure_node_modules
# kube, node and tools build in a background lane from the start (infra.sh); the rest is listed first so
# that the foreground has its own builds to do meanwhile.
bash scripts/infra.sh up postgres rabbitmq redis ferretdb alertmanager prometheus zipkin jaeger envoy mailpit schemathesis chromium kube tools
generate_code
build_web
# An operator left running by `npm start` would act on the namespaces the operator tests create.
if [ -f .infra/run/operator.pid ] && kill -0 "$(cat .infra/run/operator.pid)" 2>/dev/null; then
  echo "[test] stopping the operator started by npm start (the operator tests run their own)" >&2
  kill "$(cat .infra/run/operator.pid)" && rm -f .infra/run/operator.pid
fi
echo "[test] type-checking and linting" >&2
npx tsc -p tsconfig.check.json
npx tsc -p web/tsconfig.json
npx biome ci --reporter=summary .
echo "[test] set-up took $((SECONDS - started))s; running mocha" >&2

# Without arguments, every suite in the repository; with arguments, only those files or globs.
[ $# -eq 0 ] && set -- 'test/**/*.test.ts' 'services/*/test/**/*.test.ts' 'operator/test/**/*.test.ts'
out=$(mktemp)
set +e
# Suites run in parallel worker processes: most of their time is spent waiting on servers (restarts,
# drains, pods starting), and each makes its own databases, queues, namespaces and ports, so they
# share the machine without sharing state. MOCHA_JOBS=1 runs them one after another.
npx mocha --parallel --jobs "${MOCHA_JOBS:-3}" "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
# One plain closing line, so any reader of the log gets the counts without knowing mocha's wording.
passed=$(sed -n 's/^ *\([0-9]\+\) passing.*/\1/p' "$out" | tail -1)
failed=$(sed -n 's/^ *\([0-9]\+\) failing.*/\1/p' "$out" | tail -1)
pending=$(sed -n 's/^ *\([0-9]\+\) pending.*/\1/p' "$out" | tail -1)
rm -f "$out"
echo "[test] total $((SECONDS - started))s"
echo "mocha: ${passed:-0} passed, ${failed:-0} failed, ${pending:-0} skipped"
exit "$status"
