# Prometheus and promtool from Debian's packages. Scrape targets are files under .infra/prometheus/targets/
# (the platform's start script writes one per running service); rules come from observability/, and
# alerts go to the local Alertmanager (alertmanager.sh) on its standard port.
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
PROM_STATE=$INFRA_STATE/prometheus

prometheus_install() { apt_install prometheus; }

prometheus_write_config() {
  mkdir -p "$PROM_STATE/targets" "$PROM_STATE/data"
  cat >"$PROM_STATE/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $REPO_ROOT/observability/prometheus/rules/*.yml
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['127.0.0.1:${ALERTMANAGER_PORT:-9093}'] }]
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:$PROMETHEUS_PORT'] }]
  - job_name: shopstack
    # Services label their own samples with service=...; keep theirs rather than renaming it.
    honor_labels: true
    file_sd_configs: [{ files: ['$PROM_STATE/targets/*.json'], refresh_interval: 5s }]
YAML
}

prom_ready() { curl -sf --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

prometheus_start() {
  prometheus_write_config
  if pid_alive prometheus; then
    curl -sf -X POST "http://127.0.0.1:$PROMETHEUS_PORT/-/reload" >/dev/null || true
    return 0
  fi
  require_free_port prometheus "$PROMETHEUS_PORT"
  start_daemon prometheus "$INFRA_LOGS/prometheus.log" /usr/bin/prometheus \
    --config.file="$PROM_STATE/prometheus.yml" --storage.tsdb.path="$PROM_STATE/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle --storage.tsdb.retention.time=2d
  wait_until prometheus "$INFRA_LOGS/prometheus.log" 30 prom_ready
}

prometheus_stop() { stop_daemon prometheus; }

prometheus_status() {
  if pid_alive prometheus; then
    status_line prometheus running "$PROMETHEUS_PORT" "$(/usr/bin/prometheus --version 2>&1 | awk 'NR==1 {print $3}')"
  else
    status_line prometheus stopped - -
  fi
}

prometheus_env() {
  echo "PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
  echo "PROMETHEUS_TARGETS_DIR=$PROM_STATE/targets"
  echo "PROMTOOL_BIN=/usr/bin/promtool"
  echo "PROMETHEUS_BIN=/usr/bin/prometheus"
}
