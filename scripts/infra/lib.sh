# Shared helpers for the local infrastructure scripts. Sourced, never run.
# Layout:
#   $INFRA_STATE  (<repo>/.infra, git-ignored)   data, logs, pid files, generated config
#   $INFRA_CACHE  (~/.cache/shopstack)            built binaries, keyed by version; survives clones

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INFRA_STATE=${SHOPSTACK_STATE:-$REPO_ROOT/.infra}
INFRA_CACHE=${SHOPSTACK_CACHE:-$HOME/.cache/shopstack}
INFRA_LOGS=$INFRA_STATE/logs
INFRA_RUN=$INFRA_STATE/run
mkdir -p "$INFRA_STATE" "$INFRA_CACHE" "$INFRA_LOGS" "$INFRA_RUN"
chmod 755 "$INFRA_STATE" "$INFRA_LOGS" "$INFRA_RUN"

say() { printf '[infra] %s\n' "$*" >&2; }
fail() {
  printf '[infra] ERROR (%s): %s\n' "${COMPONENT:-infra}" "$*" >&2
  exit 1
}

# fail_with_log COMPONENT LOGFILE MESSAGE — shows the tail of the log so the cause is on screen.
fail_with_log() {
  local log=$2
  printf '[infra] ERROR (%s): %s\n[infra] log: %s\n' "$1" "$3" "$log" >&2
  [ -f "$log" ] && tail -n 20 "$log" | sed 's/^/    | /' >&2
  exit 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Runs a command as a system user (postgres, rabbitmq) when we are root; as ourselves otherwise.
as_user() {
  local user=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ $APT_UPDATED = 0 ]; then
    as_root apt-get update -qq >>"$INFRA_LOGS/apt.log" 2>&1 || fail_with_log apt "$INFRA_LOGS/apt.log" "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$INFRA_LOGS/apt.log" 2>&1 || fail_with_log apt "$INFRA_LOGS/apt.log" "apt-get install ${missing[*]} failed"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Refuses to start on a port something else already holds, naming the holder when ss can.
require_free_port() {
  local component=$1 port=$2
  if port_open "$port"; then
    local holder
    holder=$(ss -ltnp "sport = :$port" 2>/dev/null | awk 'NR>1 {print $NF}' | head -1)
    fail "$component: port $port is already taken${holder:+ by $holder}; stop it or set the port variable"
  fi
}

# wait_until COMPONENT LOGFILE SECONDS COMMAND... — polls COMMAND until it succeeds.
wait_until() {
  local component=$1 log=$2 seconds=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      fail_with_log "$component" "$log" "did not become ready within ${seconds}s"
    fi
    sleep 0.3
  done
}

pid_file() { echo "$INFRA_RUN/$1.pid"; }

pid_alive() {
  local f
  f=$(pid_file "$1")
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# daemon_status NAME DIR PORT VERSION [DETAIL] — the status row of a daemon built into DIR (by
# cached_build): running on PORT (VERSION and DETAIL), stopped (built: its VERSION) or absent.
daemon_status() {
  local name=$1 dir=$2 port=$3 version=$4 detail=${5:-}
  if pid_alive "$name"; then
    status_line "$name" running "$port" "$version${detail:+ $detail}"
  elif [ -f "$dir/.complete" ]; then
    status_line "$name" stopped - "$version"
  else
    status_line "$name" absent - -
  fi
}

# start_daemon NAME LOGFILE COMMAND... — runs a long-lived process in its own session, records its pid.
start_daemon() {
  local name=$1 log=$2
  shift 2
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

# stop_daemon NAME — TERM, wait up to 15 s, then KILL; removes the pid file.
stop_daemon() {
  local name=$1 f pid
  f=$(pid_file "$name")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

# cached_build NAME VERSION OUTDIR BUILD_FUNCTION — runs the build once per version.
# The marker file is written last, so an interrupted build is redone rather than trusted.
# A lock beside the directory lets the background build lane (infra.sh up) and the foreground ask for
# the same build: the second waits for the first and then finds the marker.
cached_build() {
  local name=$1 version=$2 dir=$3 fn=$4 lock
  [ -f "$dir/.complete" ] && return 0
  mkdir -p "$dir"
  exec {lock}>"$dir.lock"
  if ! flock -n "$lock"; then
    say "$name: waiting for its build that is already running"
    flock "$lock"
  fi
  if [ -f "$dir/.complete" ]; then
    exec {lock}>&-
    return 0
  fi
  local log=$INFRA_LOGS/build-$name.log started=$SECONDS
  : >"$log"
  say "$name $version: first build (cached in $dir afterwards); log: $log"
  ( set -e; "$fn" "$dir" ) >>"$log" 2>&1 &
  local pid=$!
  # Polled each second (a build ends at most a second before we notice), reported each 15 s.
  local next_report=$((SECONDS + 15))
  while kill -0 $pid 2>/dev/null; do
    sleep 1
    if [ $SECONDS -ge $next_report ] && kill -0 $pid 2>/dev/null; then
      say "$name: still building ($((SECONDS - started))s) — $(tail -n 1 "$log" | cut -c1-100)"
      next_report=$((SECONDS + 15))
    fi
  done
  wait $pid || fail_with_log "$name" "$log" "build failed"
  touch "$dir/.complete"
  exec {lock}>&-
  say "$name $version: built in $((SECONDS - started))s"
  echo "$name $version $((SECONDS - started))s" >>"$INFRA_CACHE/build-times.txt"
}

require_go() {
  command -v go >/dev/null || fail "Go is needed to build this component (install Go 1.24 or newer)"
}
