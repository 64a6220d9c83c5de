# PostgreSQL from Debian's packages, run as the postgres user on a data folder under .infra/.
PG_PORT=${PG_PORT:-5432}
PG_STATE=$INFRA_STATE/postgres

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

postgres_install() { apt_install postgresql; }

pg_ctl_cmd() { as_user postgres "$(pg_bin)/pg_ctl" -D "$PG_STATE/data" "$@"; }

postgres_start() {
  local log=$INFRA_LOGS/postgres.log
  mkdir -p "$PG_STATE/run"
  touch "$log"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_STATE" "$PG_STATE/run" "$log"
  if [ ! -f "$PG_STATE/data/PG_VERSION" ]; then
    say "postgres: initializing a new cluster in $PG_STATE/data"
    as_user postgres "$(pg_bin)/initdb" -D "$PG_STATE/data" -A trust -U postgres -E UTF8 --no-locale >>"$log" 2>&1 ||
      fail_with_log postgres "$log" "initdb failed"
  fi
  pg_ctl_cmd status >/dev/null 2>&1 && return 0
  require_free_port postgres "$PG_PORT"
  pg_ctl_cmd -l "$log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_STATE/run -c max_connections=300 -c shared_buffers=256MB" \
    >/dev/null 2>&1 || fail_with_log postgres "$log" "did not start"
}

postgres_stop() {
  [ -f "$PG_STATE/data/PG_VERSION" ] || return 0
  pg_ctl_cmd status >/dev/null 2>&1 && pg_ctl_cmd -m fast -w stop >/dev/null 2>&1
  return 0
}

postgres_status() {
  if [ -f "$PG_STATE/data/PG_VERSION" ] && pg_ctl_cmd status >/dev/null 2>&1; then
    status_line postgres running "$PG_PORT" "$("$(pg_bin)/postgres" --version | awk '{print $3}')"
  else
    status_line postgres stopped - -
  fi
}

postgres_env() { echo "PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"; }
