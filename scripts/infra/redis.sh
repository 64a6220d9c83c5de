# Redis from Debian's packages (rate-limit counters and caches), in memory only.
REDIS_PORT=${REDIS_PORT:-6379}

redis_install() { apt_install redis-server; }

redis_start() {
  pid_alive redis && return 0
  require_free_port redis "$REDIS_PORT"
  mkdir -p "$INFRA_STATE/redis"
  start_daemon redis "$INFRA_LOGS/redis.log" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$INFRA_STATE/redis" --save "" --appendonly no --daemonize no
  wait_until redis "$INFRA_LOGS/redis.log" 20 redis-cli -p "$REDIS_PORT" ping
}

redis_stop() { stop_daemon redis; }

redis_status() {
  if pid_alive redis; then
    status_line redis running "$REDIS_PORT" "$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
  else
    status_line redis stopped - -
  fi
}

redis_env() { echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"; }
