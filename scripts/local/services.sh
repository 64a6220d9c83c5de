# The local platform: which services run, on which ports, with which environment. Sourced by start.sh
# and stop.sh after scripts/infra/lib.sh. Ports are fixed so the URLs printed by `npm start` stay the same.

EDGE_PORT=${EDGE_PORT:-8080}
EDGE_OPS_PORT=${EDGE_OPS_PORT:-9902}
EDGE_ADMIN_PORT=${EDGE_ADMIN_PORT:-9901}
OPERATOR_METRICS_PORT=${OPERATOR_METRICS_PORT:-9400}
# The edge's rate limit service: gRPC (Envoy's ratelimit.v3 API) and HTTP (/readyz, /metrics).
RATELIMIT_GRPC_PORT=${RATELIMIT_GRPC_PORT:-8091}
RATELIMIT_HTTP_PORT=${RATELIMIT_HTTP_PORT:-8092}

# The services, their local ports and stores come from the operator's table of the platform's
# services (operator/src/platform/services.ts), read once: name http-port grpc-port store.
local_platform() {
  node --import tsx --conditions=shopstack-source "$REPO_ROOT/operator/src/cli/local-platform.ts" "$@"
}
# Needs node_modules (tsx): start.sh calls it again once they are installed.
load_local_services() {
  LOCAL_SERVICES=()
  [ -d "$REPO_ROOT/node_modules/tsx" ] || return 0
  mapfile -t LOCAL_SERVICES < <(local_platform table)
}
load_local_services

# service_field NAME INDEX — one column of the table for a service.
service_field() {
  local entry parts
  [ ${#LOCAL_SERVICES[@]} -gt 0 ] || fail "the services table is not loaded (npm install first)"
  for entry in "${LOCAL_SERVICES[@]}"; do
    read -r -a parts <<<"$entry"
    if [ "${parts[0]}" = "$1" ]; then
      echo "${parts[$2]}"
      return
    fi
  done
}

http_port_of() { service_field "$1" 1; }
grpc_port_of() { service_field "$1" 2; }
store_of() { service_field "$1" 3; }

# Services whose code exists in this checkout (the platform grows service by service).
present_services() {
  local entry
  for entry in "${LOCAL_SERVICES[@]}"; do
    local name=${entry%% *}
    [ -f "$REPO_ROOT/services/$name/src/main.ts" ] && echo "$name"
  done
}

# The environment of one service, one VAR=value per line: the same contract the operator renders into
# pods (operator/src/platform/env.ts), with this machine's addresses.
service_env() {
  INFRA_STATE=$INFRA_STATE PG_PORT=$PG_PORT AMQP_PORT=$AMQP_PORT MONGO_PORT=$MONGO_PORT \
    MAILPIT_SMTP_PORT=$MAILPIT_SMTP_PORT EDGE_PORT=$EDGE_PORT \
    OTLP_HTTP_PORT=$OTLP_HTTP_PORT local_platform env "$1"
}
