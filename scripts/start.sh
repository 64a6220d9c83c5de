#!/usr/bin/env bash
# npm start: the whole platform on this machine — infrastructure, every service, the Envoy edge,
# Prometheus, a local Kubernetes API server with the operator — then demo data and the URLs.
# Safe to run again: what already runs is left alone. `npm stop` stops everything.
# SHOPSTACK_KUBE=0 skips the Kubernetes control plane and the operator.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
source scripts/infra/lib.sh
for f in scripts/infra/*.sh; do [ "$(basename "$f")" = lib.sh ] || source "$f"; done
source scripts/local/services.sh
source scripts/local/platform.sh

with_kube=${SHOPSTACK_KUBE:-1}
started=$SECONDS

say "1/5 npm dependencies and generated code"
ensure_node_modules
generate_code
build_web
load_local_services

say "2/5 infrastructure (the first run builds some of it from source; later runs take seconds)"
components=(postgres rabbitmq redis ferretdb alertmanager prometheus zipkin jaeger envoy mailpit)
[ "$with_kube" = 1 ] && components+=(kube tools)
bash scripts/infra.sh up "${components[@]}"

say "3/5 services"
mapfile -t services < <(present_services)
# Each service's gRPC identity (mutual TLS between them): made on the first start, renewed when due.
INFRA_STATE=$INFRA_STATE local_platform certificates
for name in "${services[@]}"; do start_service "$name"; done

say "4/5 edge$([ "$with_kube" = 1 ] && echo ' and operator')"
start_ratelimit
start_web
start_edge
[ "$with_kube" = 1 ] && start_operator

say "5/5 demo data"
running() { [[ " ${services[*]} " == *" $1 "* ]]; }
if running users && running catalog && running payments; then
  EDGE_URL="http://127.0.0.1:$EDGE_PORT" USERS_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/shopstack_users" \
    $(tsx_node) scripts/seed.ts
else
  say "demo data needs users, catalog and payments; skipped"
fi

cat <<EOT

ShopStack is running ($((SECONDS - started))s).
  Shop (storefront)      http://127.0.0.1:$EDGE_PORT/      sign in as customer@shopstack.test / window shopping 2026
  Console (admins)       http://127.0.0.1:$EDGE_PORT/admin  sign in as admin@shopstack.test / keeper of the shop 2026
  Edge (all REST APIs)   http://127.0.0.1:$EDGE_PORT      e.g. curl http://127.0.0.1:$EDGE_PORT/.well-known/jwks.json
  Envoy admin            http://127.0.0.1:$EDGE_ADMIN_PORT
  Rate limit service     127.0.0.1:$RATELIMIT_GRPC_PORT (gRPC, Envoy's ratelimit.v3 API), http://127.0.0.1:$RATELIMIT_HTTP_PORT/metrics
  Prometheus (API)       http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets   alerts: /api/v1/alerts
  Traces (UI, Zipkin)    http://127.0.0.1:$ZIPKIN_PORT/zipkin/   a trace: /zipkin/traces/<trace id> (the edge's x-trace-id)
  Jaeger (traces API)    http://127.0.0.1:$JAEGER_UI_PORT/api/services   a trace: /api/traces/<trace id>
  Alertmanager           http://127.0.0.1:$ALERTMANAGER_PORT/api/v2/alerts
  Grafana dashboards     no local Grafana; observability/grafana/dashboards/ (each panel's query runs in Prometheus)
  Mailpit (sent email)   http://127.0.0.1:$MAILPIT_HTTP_PORT     every message the shop sends lands here (SMTP 127.0.0.1:$MAILPIT_SMTP_PORT)
EOT
for name in "${services[@]}"; do
  printf '  %-22s http://127.0.0.1:%s  (gRPC 127.0.0.1:%s, OpenAPI /openapi.json)\n' "$name" \
    "$(http_port_of "$name")" "$(grpc_port_of "$name")"
done
if [ "$with_kube" = 1 ]; then
  cat <<EOT
  Kubernetes API         https://127.0.0.1:$KUBE_API_PORT  export KUBECONFIG=$KUBECONFIG_FILE
  kubectl                $KUBE_BIN/kubectl
  Operator metrics       http://127.0.0.1:$OPERATOR_METRICS_PORT/metrics
EOT
fi
cat <<EOT
  Logs                   $INFRA_LOGS/
  State                  $INFRA_STATE/   (npm stop stops everything; delete the folder to start afresh)
EOT
