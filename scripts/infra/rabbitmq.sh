# RabbitMQ from Debian's packages. The broker drops to the rabbitmq user, so its state folder is theirs.
AMQP_PORT=${AMQP_PORT:-5672}
RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-25672}
RMQ_STATE=$INFRA_STATE/rabbitmq
RABBITMQ_NODE=${RABBITMQ_NODE:-rabbit@localhost}
RMQ_PID_FILE=$RMQ_STATE/rabbitmq.pid

rabbitmq_install() { apt_install rabbitmq-server; }

rmq_env() {
  export RABBITMQ_MNESIA_BASE=$RMQ_STATE/mnesia RABBITMQ_LOG_BASE=$RMQ_STATE/log
  export RABBITMQ_PID_FILE=$RMQ_PID_FILE RABBITMQ_NODENAME=$RABBITMQ_NODE
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$RABBITMQ_DIST_PORT
  export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_STATE/enabled_plugins RABBITMQ_CONFIG_FILE=$RMQ_STATE/rabbitmq
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmq_ctl() { rmq_env; rabbitmqctl -n "$RABBITMQ_NODE" "$@"; }

# From the pid file, not rabbitmqctl: every rabbitmqctl call starts an epmd that would outlive `down`.
rmq_running() { [ -f "$RMQ_PID_FILE" ] && kill -0 "$(cat "$RMQ_PID_FILE")" 2>/dev/null; }

rabbitmq_start() {
  rmq_env
  mkdir -p "$RMQ_STATE/mnesia" "$RMQ_STATE/log"
  [ -f "$RMQ_STATE/enabled_plugins" ] || echo '[].' >"$RMQ_STATE/enabled_plugins"
  # Loopback-only listener; guest may log in because it is loopback.
  printf 'listeners.tcp.1 = 127.0.0.1:%s\nloopback_users.guest = true\n' "$AMQP_PORT" >"$RMQ_STATE/rabbitmq.conf"
  [ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$RMQ_STATE"
  rmq_running && return 0
  require_free_port rabbitmq "$AMQP_PORT"
  local log=$INFRA_LOGS/rabbitmq.log
  rabbitmq-server -detached >>"$log" 2>&1 || fail_with_log rabbitmq "$log" "rabbitmq-server did not launch"
  rmq_ctl wait "$RMQ_PID_FILE" --timeout 90 >>"$log" 2>&1 ||
    fail_with_log rabbitmq "$RMQ_STATE/log/$RABBITMQ_NODE.log" "broker did not become ready"
}

rabbitmq_stop() {
  # Given the pid file, `stop` returns only once the broker's process has exited.
  if rmq_running; then rmq_ctl stop "$RMQ_PID_FILE" >/dev/null 2>&1 || true; fi
  # epmd outlives the broker unless told to go; leave it to any other Erlang node still using it.
  pgrep -x epmd >/dev/null || return 0
  for _ in $(seq 1 20); do
    epmd -names 2>/dev/null | grep -q '^name ' || break
    sleep 0.25
  done
  epmd -names 2>/dev/null | grep -q '^name ' || epmd -kill >/dev/null 2>&1 || true
}

rabbitmq_status() {
  if rmq_running; then
    status_line rabbitmq running "$AMQP_PORT" "$(dpkg-query -W -f='${Version}' rabbitmq-server)"
  else
    status_line rabbitmq stopped - -
  fi
}

rabbitmq_env() {
  echo "AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT"
  echo "RABBITMQ_NODE=$RABBITMQ_NODE"
}
