# The local platform: which services run, on which ports, with which environment. Sourced by start.sh
# and stop.sh after scripts/infra/lib.sh. Ports are fixed so the URLs printed by `npm start` stay the same.

EDGE_PORT=${EDGE_PORT:-8080}
EDGE_OPS_PORT=${EDGE_OPS_PORT:-9902}
EDGE_ADMIN_PORT=${EDGE_ADMIN_PORT:-9901}
OPERATOR_METRICS_PORT=${OPERATOR_METRICS_PORT:-9400}

# name http-port grpc-port store
LOCAL_SERVICES=(
  "users 8081 50051 postgres"
  "catalog 8082 50052 postgres"
  "orders 8083 50053 postgres"
  "payments 8084 50054 mongo"
  "notifications 8085 50055 postgres"
)

# service_field NAME INDEX — one column of LOCAL_SERVICES for a service.
service_field() {
  local entry parts
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

# A secret made once per machine state folder, never printed and never committed.
local_secret() {
  local file=$INFRA_STATE/secrets/$1
  mkdir -p "$INFRA_STATE/secrets" && chmod 700 "$INFRA_STATE/secrets"
  [ -f "$file" ] || (umask 077 && openssl rand -hex 32 >"$file")
  cat "$file"
}

# The environment of one service, one VAR=value per line.
service_env() {
  local name=$1
  echo "HOST=127.0.0.1"
  echo "HTTP_PORT=$(http_port_of "$name")"
  echo "GRPC_PORT=$(grpc_port_of "$name")"
  echo "AMQP_URL=amqp://guest:guest@127.0.0.1:${AMQP_PORT}"
  echo "JWKS_URL=http://127.0.0.1:$(http_port_of users)/.well-known/jwks.json"
  echo "LOG_LEVEL=${LOG_LEVEL:-info}"
  case $(store_of "$name") in
    postgres) echo "DATABASE_URL=postgres://postgres@127.0.0.1:${PG_PORT}/shopstack_${name}" ;;
    mongo) echo "MONGO_URL=mongodb://127.0.0.1:${MONGO_PORT}/" && echo "MONGO_DB=shopstack_${name}" ;;
  esac
  for other in users catalog orders payments notifications; do
    local upper
    upper=$(echo "$other" | tr a-z A-Z)
    echo "${upper}_GRPC_ADDRESS=127.0.0.1:$(grpc_port_of "$other")"
  done
  case $name in
    users) echo "SIGNING_KEY_ENCRYPTION_KEY=$(local_secret signing-key-encryption)" ;;
    payments) echo "SANDBOX_WEBHOOK_SECRET=$(local_secret sandbox-webhook)" ;;
  esac
}
