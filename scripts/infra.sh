#!/usr/bin/env bash
# Local infrastructure on 127.0.0.1, installed on first use, state under .infra/ (git-ignored).
#
#   scripts/infra.sh up [component...]      install what is missing, start, wait until ready
#   scripts/infra.sh down [component...]    stop (no process is left behind)
#   scripts/infra.sh status                 what runs, on which port, from which version
#   scripts/infra.sh install [component...] install / build only
#   scripts/infra.sh env                    the variables clients need (also written to .infra/env)
#
# Components: postgres rabbitmq redis ferretdb prometheus alertmanager zipkin jaeger envoy kube node tools mailpit schemathesis chromium
# (kube = etcd + kube-apiserver + controller-manager + scheduler + kwok, and node; node = containerd +
# kubelet + kube-proxy + CoreDNS, a real worker node; tools = grpcurl + helm;
#  mailpit = SMTP 1025 + web UI / API 8025; jaeger = OTLP 4317 / 4318 + query API 16686;
#  zipkin = the trace UI 9411/zipkin/ (Jaeger forwards its spans there through the bridge on 9412);
#  chromium = Debian's browser for the browser tests)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/lib.sh
source "$HERE/infra/lib.sh"
for f in "$HERE"/infra/*.sh; do
  [ "$(basename "$f")" = lib.sh ] || source "$f"
done

ALL_COMPONENTS=(postgres rabbitmq redis ferretdb alertmanager prometheus zipkin jaeger envoy kube node tools mailpit schemathesis chromium)

status_line() { printf '%-24s %-8s %-7s %s\n' "$1" "$2" "$3" "$4"; }

# ferretdb stores its data in PostgreSQL, so it pulls postgres in first; jaeger forwards its spans to
# zipkin (the UI a person opens), so it pulls zipkin in first.
expand() {
  local out=() c
  for c in "$@"; do
    case $c in
      ferretdb) out+=(postgres ferretdb) ;;
      jaeger) out+=(zipkin jaeger) ;;
      all) out+=("${ALL_COMPONENTS[@]}") ;;
      # The control plane comes with its real node (kwok's fake one is always there).
      kube) out+=(kube node) ;;
      postgres | rabbitmq | redis | prometheus | alertmanager | zipkin | envoy | node | tools | mailpit | schemathesis | chromium) out+=("$c") ;;
      *) COMPONENT=$c fail "unknown component (known: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
  printf '%s\n' "${out[@]}" | awk '!seen[$0]++'
}

hook() {
  local c=$1 action=$2
  if declare -F "${c}_${action}" >/dev/null; then COMPONENT=$c "${c}_${action}"; fi
}

write_env() {
  local c
  {
    for c in "${ALL_COMPONENTS[@]}"; do hook "$c" env; done
  } >"$INFRA_STATE/env"
}

# On a cold cache most of `up` is Go builds. The components with a `<name>_prebuild` hook (pure builds,
# no Debian packages) are built in one background lane from the start, while the foreground installs and
# starts the components before them; compiling takes both cores either way, but module downloads,
# linking and npm / pip steps are single-threaded or network-bound and overlap with the other lane.
# cached_build's lock makes the foreground wait for a build the lane has under way.
BUILD_LANE=
start_build_lane() {
  local lane=() c
  for c in "$@"; do declare -F "${c}_prebuild" >/dev/null && lane+=("$c"); done
  [ ${#lane[@]} -eq 0 ] && return 0
  (
    # A failed build here is not fatal: the foreground runs the same build and reports its log.
    for c in "${lane[@]}"; do (COMPONENT=$c "${c}_prebuild") || true; done
  ) &
  BUILD_LANE=$!
}

kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

stop_build_lane() { [ -z "$BUILD_LANE" ] || kill_tree "$BUILD_LANE"; }

cmd=${1:-status}
shift || true
[ $# -eq 0 ] && set -- all
expanded=$(expand "$@") || exit 1
mapfile -t components <<<"$expanded"

case $cmd in
  install)
    for c in "${components[@]}"; do hook "$c" install; done
    ;;
  up)
    start_build_lane "${components[@]}"
    trap stop_build_lane EXIT
    for c in "${components[@]}"; do
      started=$SECONDS
      hook "$c" install
      hook "$c" start
      say "$c ready ($((SECONDS - started))s)"
    done
    wait "$BUILD_LANE" 2>/dev/null || true
    write_env
    ;;
  down)
    # Every server at once (each waits for its own process to exit, up to 15 s: ~40 s one after another),
    # except the control plane, which goes last: the node's stop first deletes its pods and itself
    # through the API server.
    for c in "${components[@]}"; do [ "$c" = kube ] || hook "$c" stop & done
    wait
    if [[ " ${components[*]} " == *" kube "* ]]; then hook kube stop; fi
    ;;
  status)
    status_line COMPONENT STATE PORT VERSION
    for c in "${ALL_COMPONENTS[@]}"; do hook "$c" status; done
    ;;
  env)
    write_env
    cat "$INFRA_STATE/env"
    ;;
  *)
    echo "usage: $0 up|down|status|install|env [component...]" >&2
    exit 2
    ;;
esac
