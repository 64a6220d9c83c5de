# Alertmanager from the Go module. The local Prometheus sends its alerts here (see prometheus.sh).
# Its configuration is the platform's (observability/alertmanager/alertmanager.yml), with the webhook
# receiver's URL taken from ALERT_WEBHOOK_URL when set (a test or a person's own endpoint).
ALERTMANAGER_VERSION=${ALERTMANAGER_VERSION:-0.28.1}
ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9093}
ALERTMANAGER_CLUSTER_PORT=${ALERTMANAGER_CLUSTER_PORT:-9094}
ALERTMANAGER_DIR=$INFRA_CACHE/alertmanager-$ALERTMANAGER_VERSION
AM_STATE=$INFRA_STATE/alertmanager

build_alertmanager() {
  GOFLAGS=-mod=mod go mod download -json "github.com/prometheus/alertmanager@v$ALERTMANAGER_VERSION" >"$1/download.json"
  cd "$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$1/download.json")"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -v -trimpath \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$ALERTMANAGER_VERSION" \
    -o "$1/" ./cmd/alertmanager ./cmd/amtool
}

alertmanager_install() {
  require_go
  cached_build alertmanager "$ALERTMANAGER_VERSION" "$ALERTMANAGER_DIR" build_alertmanager
}

am_ready() { curl -sf --max-time 2 "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready"; }

alertmanager_start() {
  pid_alive alertmanager && return 0
  require_free_port alertmanager "$ALERTMANAGER_PORT"
  mkdir -p "$AM_STATE/data"
  cp "$REPO_ROOT/observability/alertmanager/alertmanager.yml" "$AM_STATE/alertmanager.yml"
  start_daemon alertmanager "$INFRA_LOGS/alertmanager.log" "$ALERTMANAGER_DIR/alertmanager" \
    --config.file="$AM_STATE/alertmanager.yml" --storage.path="$AM_STATE/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= 
  wait_until alertmanager "$INFRA_LOGS/alertmanager.log" 30 am_ready
}

alertmanager_stop() { stop_daemon alertmanager; }

alertmanager_status() {
  daemon_status alertmanager "$ALERTMANAGER_DIR" "$ALERTMANAGER_PORT" "$ALERTMANAGER_VERSION"
}

alertmanager_env() {
  echo "ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT"
  echo "ALERTMANAGER_BIN=$ALERTMANAGER_DIR/alertmanager"
  echo "AMTOOL_BIN=$ALERTMANAGER_DIR/amtool"
}
