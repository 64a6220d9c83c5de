#!/usr/bin/env bash
# npm test: install what is missing, bring up the real infrastructure, type-check, run every mocha suite.
# Arguments name the suites to run (e.g. `npm test -- 'services/users/test/**/*.test.ts'`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

started=$SECONDS
ensure_node_modules
generate_code
# Type-checking and linting need no server, so they run while the servers start (mostly waiting).
checks_log=$(mktemp)
(
  npx tsc -p tsconfig.check.json
  npx tsc -p web/tsconfig.json
  npx biome ci --reporter=summary .
) >"$checks_log" 2>&1 &
checks=$!
images=
trap 'kill "$checks" $images 2>/dev/null || true; rm -f "$checks_log"' EXIT
# kube, node and tools build in a background lane from the start (infra.sh); the rest is listed first so
# that the foreground has its own builds to do meanwhile.
bash scripts/infra.sh up postgres rabbitmq redis ferretdb alertmanager prometheus zipkin jaeger envoy mailpit schemathesis chromium kube tools
# A full run's pods suite needs every image in the node's containerd: built (or found in the cache and
# imported) from here on, beside the checks, rather than at the suite's start. The suite asks again
# and waits for this build to finish (images.sh takes a lock), so a failure here shows there too.
if [ $# -eq 0 ]; then
  echo "[test] images for the real node: building or importing in the background (.infra/logs/images.log)" >&2
  bash scripts/images.sh >.infra/logs/images.log 2>&1 &
  images=$!
fi
build_web
# An operator left running by `npm start` would act on the namespaces the operator tests create.
if [ -f .infra/run/operator.pid ] && kill -0 "$(cat .infra/run/operator.pid)" 2>/dev/null; then
  echo "[test] stopping the operator started by npm start (the operator tests run their own)" >&2
  kill "$(cat .infra/run/operator.pid)" && rm -f .infra/run/operator.pid
fi
echo "[test] type-checking and linting (started with the servers)" >&2
checks_status=0
wait "$checks" || checks_status=$?
cat "$checks_log" >&2
if [ "$checks_status" -ne 0 ]; then
  echo "[test] type-checking or linting failed" >&2
  exit "$checks_status"
fi
echo "[test] set-up took $((SECONDS - started))s; running mocha" >&2

# Without arguments, every suite in the repository, the longest first: the workers take files in the
# order given, so a long suite left for the end would run alone while the other workers idle (figures
# from a full run with MOCHA_FILE_TIMES, see test/support/file-times.cjs); with arguments, only those
# files or globs.
if [ $# -eq 0 ]; then
  longest_first=(
    test/fuzz/schemathesis.test.ts
    test/cluster/shop-in-pods.test.ts
    services/orders/test/integration/broker-restart.test.ts
    test/edge/graceful-shutdown.test.ts
    test/e2e/checkout-through-the-edge.test.ts
    test/observability/alerts.test.ts
    operator/test/cluster/apiserver-restart.test.ts
    operator/test/cluster/operator.test.ts
    test/observability/scraped.test.ts
    services/payments/test/chaos/bank.test.ts
    test/edge/payments-webhooks.test.ts
    test/checkout/payments-down.test.ts
    test/web/storefront.test.ts
    test/backoffice/back-office-on-the-shop.test.ts
  )
  shopt -s globstar nullglob
  set -- "${longest_first[@]}"
  for file in test/**/*.test.ts services/*/test/**/*.test.ts operator/test/**/*.test.ts; do
    [[ " ${longest_first[*]} " == *" $file "* ]] || set -- "$@" "$file"
  done
  shopt -u globstar nullglob
fi
export MOCHA_FILE_TIMES=${MOCHA_FILE_TIMES:-.infra/test-times.tsv}
rm -f "$MOCHA_FILE_TIMES"
out=$(mktemp)
set +e
# Suites run in parallel worker processes: most of their time is spent waiting on servers (restarts,
# drains, pods starting), and each makes its own databases, queues, namespaces and ports, so they
# share the machine without sharing state. Two workers, not three: on two cores, three at once (the
# real-node shop building images and rolling pods beside two platforms of processes) ran gRPC calls
# past their deadlines and operator starts past their wait. MOCHA_JOBS=1 runs them one after another.
npx mocha --parallel --jobs "${MOCHA_JOBS:-2}" "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
# One plain closing line, so any reader of the log gets the counts without knowing mocha's wording.
passed=$(sed -n 's/^ *\([0-9]\+\) passing.*/\1/p' "$out" | tail -1)
failed=$(sed -n 's/^ *\([0-9]\+\) failing.*/\1/p' "$out" | tail -1)
pending=$(sed -n 's/^ *\([0-9]\+\) pending.*/\1/p' "$out" | tail -1)
rm -f "$out"
echo "[test] the slowest suites (seconds, hooks included):"
sort -rn "$MOCHA_FILE_TIMES" 2>/dev/null | head -8 | sed 's/^/[test]   /' || true
echo "[test] total $((SECONDS - started))s"
echo "mocha: ${passed:-0} passed, ${failed:-0} failed, ${pending:-0} skipped"
exit "$status"
