#!/bin/sh
# Debian's RabbitMQ with the official rabbitmq image's interface, as far as ShopStack's manifests use
# it: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS. Logs go to standard output.
set -eu
cat >"$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = 5672
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
CONF
# The CLI tools (the readiness probe's rabbitmq-diagnostics) share this cookie with the server.
if [ ! -f "$HOME/.erlang.cookie" ]; then
  tr -dc A-Z </dev/urandom | head -c 20 >"$HOME/.erlang.cookie"
  chmod 400 "$HOME/.erlang.cookie"
fi
export RABBITMQ_LOGS=-
exec /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
