# Starting and stopping the platform's own processes (services, edge, operator) on this machine.
# Sourced by start.sh and stop.sh; infra/*.sh and local/services.sh are sourced first.

tsx_node() { echo node --import tsx --conditions=shopstack-source; }

http_ok() { curl -sf --max-time 2 -o /dev/null "$1"; }

ensure_database() {
  local db=$1
  "$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" |
    grep -q 1 || "$(pg_bin)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
}

start_service() {
  local name=$1 port
  port=$(http_port_of "$name")
  if pid_alive "svc-$name"; then
    say "$name: already running on :$port"
    return 0
  fi
  require_free_port "$name" "$port"
  [ "$(store_of "$name")" = postgres ] && ensure_database "shopstack_$name"
  mapfile -t vars < <(service_env "$name")
  # shellcheck disable=SC2046
  COMPONENT=$name start_daemon "svc-$name" "$INFRA_LOGS/$name.log" env "${vars[@]}" $(tsx_node) \
    "$REPO_ROOT/services/$name/src/main.ts"
  COMPONENT=$name wait_until "$name" "$INFRA_LOGS/$name.log" 90 http_ok "http://127.0.0.1:$port/readyz"
  printf '[{"targets":["127.0.0.1:%s"],"labels":{"service":"%s"}}]\n' "$port" "$name" \
    >"$INFRA_STATE/prometheus/targets/$name.json"
  say "$name: ready on :$port (gRPC :$(grpc_port_of "$name")), log $INFRA_LOGS/$name.log"
}

# render_edge_config [OUT] — the local edge config, from the operator's renderer (default envoy/envoy.local.yaml).
# Plain HTTP on loopback; CORS allows the local web origin (a page at localhost calling 127.0.0.1 and back).
render_edge_config() {
  local out=${1:-envoy/envoy.local.yaml}
  # Upstreams default to the local ports of the platform's services table.
  $(tsx_node) "$REPO_ROOT/operator/src/cli/render-envoy.ts" --port "$EDGE_PORT" \
    --ratelimit "127.0.0.1:$RATELIMIT_GRPC_PORT" \
    --ops-port "$EDGE_OPS_PORT" --admin-port "$EDGE_ADMIN_PORT" --otlp "127.0.0.1:$OTLP_GRPC_PORT" \
    --cors-origin "http://localhost:$EDGE_PORT" --cors-origin "http://127.0.0.1:$EDGE_PORT" --out "$out" >/dev/null
}

# The edge's global rate limit service (services/ratelimit) on Redis, with the limits the local edge
# config is rendered with (operator/src/cli/local-limits.ts). On loopback the local Envoy calls it over
# plain gRPC, switched on explicitly here (GRPC_PLAINTEXT); in a cluster it is mutual TLS.
start_ratelimit() {
  if pid_alive svc-ratelimit; then
    say "ratelimit: already running on :$RATELIMIT_GRPC_PORT"
    return 0
  fi
  require_free_port ratelimit "$RATELIMIT_GRPC_PORT"
  require_free_port ratelimit "$RATELIMIT_HTTP_PORT"
  local rules
  rules=$($(tsx_node) "$REPO_ROOT/operator/src/cli/ratelimit-rules.ts")
  # shellcheck disable=SC2046
  COMPONENT=ratelimit start_daemon svc-ratelimit "$INFRA_LOGS/ratelimit.log" env HOST=127.0.0.1 GRPC_PLAINTEXT=true \
    GRPC_PORT="$RATELIMIT_GRPC_PORT" HTTP_PORT="$RATELIMIT_HTTP_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    RATE_LIMIT_RULES="$rules" LOG_LEVEL="${LOG_LEVEL:-info}" $(tsx_node) "$REPO_ROOT/services/ratelimit/src/main.ts"
  COMPONENT=ratelimit wait_until ratelimit "$INFRA_LOGS/ratelimit.log" 60 http_ok \
    "http://127.0.0.1:$RATELIMIT_HTTP_PORT/readyz"
  printf '[{"targets":["127.0.0.1:%s"],"labels":{"service":"ratelimit"}}]\n' "$RATELIMIT_HTTP_PORT" \
    >"$INFRA_STATE/prometheus/targets/ratelimit.json"
  say "ratelimit: gRPC :$RATELIMIT_GRPC_PORT (Envoy's rate limit API), HTTP :$RATELIMIT_HTTP_PORT, log $INFRA_LOGS/ratelimit.log"
}

start_edge() {
  render_edge_config
  if pid_alive edge; then
    # A running Envoy keeps its config; restart it only if the rendered config changed.
    cmp -s "$REPO_ROOT/envoy/envoy.local.yaml" "$INFRA_RUN/edge.yaml" && { say "edge: already running on :$EDGE_PORT"; return 0; }
    stop_daemon edge
  fi
  require_free_port edge "$EDGE_PORT"
  cp "$REPO_ROOT/envoy/envoy.local.yaml" "$INFRA_RUN/edge.yaml"
  COMPONENT=edge start_daemon edge "$INFRA_LOGS/edge.log" "$ENVOY_VENV/envoy" -c "$INFRA_RUN/edge.yaml" \
    --disable-hot-restart --log-level warn
  wait_until edge "$INFRA_LOGS/edge.log" 60 http_ok "http://127.0.0.1:$EDGE_ADMIN_PORT/ready"
  # Envoy's own statistics (requests, JWT failures, rate limited, upstream latency) for the edge rules.
  printf '[{"targets":["127.0.0.1:%s"],"labels":{"service":"edge","__metrics_path__":"/stats/prometheus"}}]\n' \
    "$EDGE_OPS_PORT" >"$INFRA_STATE/prometheus/targets/edge.json"
  say "edge: Envoy on :$EDGE_PORT, log $INFRA_LOGS/edge.log"
}

# The web app's service (services/web): the built storefront and console (web/dist, built by
# build_web in deps.sh) behind the edge at /, with the console's links to this machine's Prometheus,
# Jaeger and Zipkin, the trace UI (Grafana is not run locally).
start_web() {
  local name port
  read -r name port < <(local_platform web)
  if pid_alive "svc-$name"; then
    say "$name: already running on :$port"
    return 0
  fi
  require_free_port "$name" "$port"
  # shellcheck disable=SC2046
  COMPONENT=$name start_daemon "svc-$name" "$INFRA_LOGS/$name.log" env HOST=127.0.0.1 HTTP_PORT="$port" \
    LOG_LEVEL="${LOG_LEVEL:-info}" PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT" \
    JAEGER_URL="http://127.0.0.1:$JAEGER_UI_PORT" ZIPKIN_URL="http://127.0.0.1:$ZIPKIN_PORT/zipkin/" $(tsx_node) "$REPO_ROOT/services/web/src/main.ts"
  COMPONENT=$name wait_until "$name" "$INFRA_LOGS/$name.log" 60 http_ok "http://127.0.0.1:$port/readyz"
  printf '[{"targets":["127.0.0.1:%s"],"labels":{"service":"%s"}}]\n' "$port" "$name" \
    >"$INFRA_STATE/prometheus/targets/$name.json"
  say "$name: the storefront and console on :$port (through the edge at /), log $INFRA_LOGS/$name.log"
}

start_operator() {
  "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply --server-side --field-manager shopstack-start \
    -f "$REPO_ROOT/charts/shopstack-operator/crds/" >>"$INFRA_LOGS/operator.log" 2>&1 ||
    fail_with_log operator "$INFRA_LOGS/operator.log" "could not install the ShopDeployment CRD"
  if pid_alive operator; then
    say "operator: already running"
    return 0
  fi
  require_free_port operator "$OPERATOR_METRICS_PORT"
  # shellcheck disable=SC2046
  COMPONENT=operator start_daemon operator "$INFRA_LOGS/operator.log" env KUBECONFIG="$KUBECONFIG_FILE" \
    METRICS_HOST=127.0.0.1 METRICS_PORT="$OPERATOR_METRICS_PORT" POD_NAMESPACE=default \
    $(tsx_node) "$REPO_ROOT/operator/src/main.ts"
  wait_until operator "$INFRA_LOGS/operator.log" 60 http_ok "http://127.0.0.1:$OPERATOR_METRICS_PORT/readyz"
  printf '[{"targets":["127.0.0.1:%s"],"labels":{"service":"operator"}}]\n' "$OPERATOR_METRICS_PORT" \
    >"$INFRA_STATE/prometheus/targets/operator.json"
  say "operator: reconciling ShopDeployments on the local API server, log $INFRA_LOGS/operator.log"
}

stop_platform() {
  stop_daemon operator
  stop_daemon edge
  stop_daemon svc-ratelimit
  stop_daemon svc-web
  rm -f "$INFRA_STATE/prometheus/targets/web.json"
  rm -f "$INFRA_STATE/prometheus/targets/ratelimit.json"
  rm -f "$INFRA_STATE/prometheus/targets/operator.json" "$INFRA_STATE/prometheus/targets/edge.json"
  local name
  # At once: each service serves through its shutdown grace period (SHUTDOWN_DRAIN_DELAY_MS) first.
  for name in backoffice notifications orders payments catalog users; do
    stop_daemon "svc-$name" &
  done
  wait
  for name in backoffice notifications orders payments catalog users; do
    rm -f "$INFRA_STATE/prometheus/targets/$name.json"
  done
}
