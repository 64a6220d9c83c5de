# Jaeger all-in-one (v2, built on the OpenTelemetry Collector) from the Go module: receives OTLP from the
# services and the edge, keeps traces in memory and answers the query API the tests and Grafana use.
# The module ships without the UI's built assets (they come from the separate jaeger-ui project, which no
# registry here serves), so the page on the UI port is Jaeger's placeholder; the HTTP API under /api/
# (traces, services) is complete. Jaeger forwards every span to Zipkin (zipkin.sh), whose UI shows them.
JAEGER_VERSION=${JAEGER_VERSION:-1.76.0}
JAEGER_UI_PORT=${JAEGER_UI_PORT:-16686}
OTLP_GRPC_PORT=${OTLP_GRPC_PORT:-4317}
OTLP_HTTP_PORT=${OTLP_HTTP_PORT:-4318}
JAEGER_HEALTH_PORT=${JAEGER_HEALTH_PORT:-13133}
JAEGER_METRICS_PORT=${JAEGER_METRICS_PORT:-8888}
JAEGER_QUERY_GRPC_PORT=${JAEGER_QUERY_GRPC_PORT:-16685}
JAEGER_DIR=$INFRA_CACHE/jaeger-$JAEGER_VERSION
JAEGER_STATE=$INFRA_STATE/jaeger

# Built from the module's source: `go install ...@version` asks the proxy for the version list first.
build_jaeger() {
  GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@v$JAEGER_VERSION" >"$1/download.json"
  cd "$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$1/download.json")"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -v -trimpath \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=v$JAEGER_VERSION" \
    -o "$1/jaeger" ./cmd/jaeger
}

jaeger_install() {
  require_go
  cached_build jaeger "$JAEGER_VERSION" "$JAEGER_DIR" build_jaeger
}

# Only what the platform uses: OTLP in (gRPC and HTTP), memory storage, the query API, a health check.
jaeger_write_config() {
  mkdir -p "$JAEGER_STATE"
  cat >"$JAEGER_STATE/config.yaml" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter, otlphttp/zipkin]
  telemetry:
    resource: { service.name: jaeger }
    metrics:
      level: basic
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: $JAEGER_METRICS_PORT } } }
    logs: { level: warn }
extensions:
  jaeger_query:
    storage: { traces: memstore }
    http: { endpoint: 127.0.0.1:$JAEGER_UI_PORT }
    grpc: { endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT }
  jaeger_storage:
    backends:
      memstore: { memory: { max_traces: 100000 } }
  healthcheckv2:
    use_v2: true
    http: { endpoint: 127.0.0.1:$JAEGER_HEALTH_PORT }
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:$OTLP_GRPC_PORT }
      http: { endpoint: 127.0.0.1:$OTLP_HTTP_PORT }
processors:
  batch: { timeout: 200ms }
exporters:
  jaeger_storage_exporter: { trace_storage: memstore }
  # The copy for Zipkin's UI, through the bridge (OTLP/JSON in, Zipkin's JSON out). Its own queue, no
  # retries: when Zipkin is down the copy is dropped and Jaeger's store still gets every span.
  otlphttp/zipkin:
    traces_endpoint: http://127.0.0.1:$ZIPKIN_BRIDGE_PORT/v1/traces
    encoding: json
    compression: none
    retry_on_failure: { enabled: false }
    sending_queue: { enabled: true }
YAML
}

jaeger_ready() { curl -sf --max-time 2 "http://127.0.0.1:$JAEGER_UI_PORT/api/services"; }

jaeger_start() {
  pid_alive jaeger && return 0
  local p
  for p in "$JAEGER_UI_PORT" "$OTLP_GRPC_PORT" "$OTLP_HTTP_PORT" "$JAEGER_HEALTH_PORT"; do require_free_port jaeger "$p"; done
  jaeger_write_config
  start_daemon jaeger "$INFRA_LOGS/jaeger.log" "$JAEGER_DIR/jaeger" --config "$JAEGER_STATE/config.yaml"
  wait_until jaeger "$INFRA_LOGS/jaeger.log" 60 jaeger_ready
}

jaeger_stop() { stop_daemon jaeger; }

jaeger_status() {
  daemon_status jaeger "$JAEGER_DIR" "$JAEGER_UI_PORT" "$JAEGER_VERSION" "(OTLP $OTLP_GRPC_PORT/$OTLP_HTTP_PORT)"
}

jaeger_env() {
  echo "JAEGER_URL=http://127.0.0.1:$JAEGER_UI_PORT"
  echo "OTLP_HTTP_URL=http://127.0.0.1:$OTLP_HTTP_PORT"
  echo "OTLP_GRPC_ADDRESS=127.0.0.1:$OTLP_GRPC_PORT"
}
