#!/usr/bin/env bash
# What goes into a ShopStack image, written once for both builders: the Dockerfiles' build stage runs
# it, and so does the daemonless builder on this machine (scripts/images.sh). Run from the repository
# root after `npm install` and `npm run gen`. Each call fills OUT with one layer, laid out as it lands
# under the image's WORKDIR (/app):
#   stage.sh deps OUT            production node_modules of every workspace an image runs (from the lockfile)
#   stage.sh service NAME OUT    one service: compiled code and assets of it and of the workspaces it imports
#   stage.sh operator OUT        the operator: compiled code, dashboards and rules it provisions
set -euo pipefail
cd "$(dirname "$0")/../.."

# Workspaces whose runtime dependencies the images carry (the test workspace is not one of them).
RUNTIME_WORKSPACES=(proto services/kit services/users services/catalog services/orders services/payments
  services/notifications services/backoffice services/ratelimit operator)
SERVICES=(users catalog orders payments notifications backoffice ratelimit)

# Build output and non-code assets (migrations, descriptor sets) of one workspace; sources and tests stay behind.
copy_workspace() {
  local dir=$1 out=$2 part
  mkdir -p "$out/$dir"
  cp -a "$dir/package.json" "$out/$dir/"
  for part in dist gen migrations; do
    if [ -e "$dir/$part" ]; then cp -a "$dir/$part" "$out/$dir/"; fi
  done
  rm -f "$out/$dir/dist/tsconfig.tsbuildinfo"
}

stage_deps() {
  local out=$1 dir workspaces=()
  rm -rf "$out" && mkdir -p "$out"
  cp package.json package-lock.json "$out/"
  # npm ci needs every workspace of the lockfile to exist; only the manifests are copied.
  for dir in $(node -p 'require("./package.json").workspaces.join(" ")'); do
    [ -f "$dir/package.json" ] || continue # the pattern services/* also names services/Dockerfile
    workspaces+=("$dir")
    mkdir -p "$out/$dir" && cp "$dir/package.json" "$out/$dir/"
  done
  local selected=()
  for dir in "${RUNTIME_WORKSPACES[@]}"; do selected+=(--workspace "$dir"); done
  (cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline \
    --include-workspace-root=false "${selected[@]}")
  # The manifests came only for npm ci (the image's own layers bring the workspaces it runs); what npm
  # could not hoist stays in the workspaces' own node_modules.
  rm -f "$out/package-lock.json"
  for dir in "${workspaces[@]}"; do
    rm -f "$out/$dir/package.json"
    (cd "$out" && rmdir -p "$dir" 2>/dev/null) || true
  done
}

stage_service() {
  local name=$1 out=$2
  case " ${SERVICES[*]} " in *" $name "*) ;; *) echo "stage.sh service: unknown service '$name' (${SERVICES[*]})" >&2; exit 2 ;; esac
  # A service's tsconfig does not reference the workspaces it imports: build each of them.
  npx tsc -b proto services/kit "services/$name"
  rm -rf "$out" && mkdir -p "$out"
  cp package.json "$out/"
  local dir
  for dir in proto services/kit "services/$name"; do copy_workspace "$dir" "$out"; done
  ln -s "services/$name/dist/main.js" "$out/main.js"
}

stage_operator() {
  local out=$1
  # The operator issues the services' certificates with the kit's PKI module (@shopstack/kit/pki).
  npx tsc -b proto services/kit operator
  rm -rf "$out" && mkdir -p "$out/observability/grafana" "$out/observability/prometheus"
  cp package.json "$out/"
  local dir
  for dir in proto services/kit operator; do copy_workspace "$dir" "$out"; done
  cp -a observability/grafana/dashboards "$out/observability/grafana/"
  cp -a observability/prometheus/rules "$out/observability/prometheus/"
}

case ${1:-} in
  deps) stage_deps "${2:?OUT}" ;;
  service) stage_service "${2:?NAME}" "${3:?OUT}" ;;
  operator) stage_operator "${2:?OUT}" ;;
  *)
    echo "usage: stage.sh deps OUT | service NAME OUT | operator OUT" >&2
    exit 2
    ;;
esac
