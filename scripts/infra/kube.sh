# A real Kubernetes control plane without nodes or Docker: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, and kwok pretending to be one node whose pods become Ready.
# Everything is built from Go modules, once per version, into the cache.

KUBE_VERSION=${KUBE_VERSION:-1.34.4}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
KWOK_VERSION=${KWOK_VERSION:-0.8.0}
ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
KUBE_API_PORT=${KUBE_API_PORT:-6443}
KUBE_SCHEDULER_PORT=${KUBE_SCHEDULER_PORT:-10259}
KUBE_TOKEN=${KUBE_TOKEN:-shopstack-local-admin}

KUBE_BIN=$INFRA_CACHE/kubernetes-$KUBE_VERSION
ETCD_BIN=$INFRA_CACHE/etcd-$ETCD_VERSION
KWOK_BIN=$INFRA_CACHE/kwok-$KWOK_VERSION
KUBE_STATE=$INFRA_STATE/kube
KUBECONFIG_FILE=$KUBE_STATE/kubeconfig

# k8s.io/kubernetes pins its staging modules (k8s.io/api, client-go, ...) at v0.0.0 with local
# replaces, so `go install` cannot build it. A wrapper module replaces each with its published tag.
build_kubernetes() {
  local out=$1 src=$1/src minor=${KUBE_VERSION#1.}
  minor=${minor%%.*}
  mkdir -p "$src"
  local upstream
  upstream=$(cd "$src" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$upstream" ] || { echo "could not download k8s.io/kubernetes@v$KUBE_VERSION"; return 1; }
  {
    echo "module local/k8sbins"
    grep -E '^(go|godebug) ' "$upstream"
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\t\1 => \1 v0.'"${KUBE_VERSION#1.}"'#p' "$upstream"
    echo ")"
  } >"$src/go.mod"
  cd "$src"
  local cmds="kube-apiserver kube-controller-manager kube-scheduler kubectl"
  local pkgs=""
  for c in $cmds; do pkgs="$pkgs k8s.io/kubernetes/cmd/$c"; done
  echo "resolving modules for $cmds"
  # shellcheck disable=SC2086
  go get -tool $(for p in $pkgs; do echo "$p@v$KUBE_VERSION"; done)
  echo "compiling $cmds (slow on the first run)"
  # shellcheck disable=SC2086
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
    -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION" -o "$out/" $pkgs
}

build_etcd() {
  local out=$1 src=$1/src
  mkdir -p "$src"
  cd "$src"
  printf 'module local/etcdbin\n\ngo 1.24\n' >go.mod
  go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
}

build_kwok() {
  local out=$1
  CGO_ENABLED=0 GOBIN=$out go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  # The stage definitions (how a fake node heartbeats, how a pod becomes Ready) ship in the module.
  mkdir -p "$out/stages"
  local mod
  mod=$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage
  cp "$mod"/node/fast/node-initialize.yaml "$mod"/node/heartbeat/node-heartbeat.yaml \
    "$mod"/pod/fast/pod-ready.yaml "$mod"/pod/fast/pod-complete.yaml "$mod"/pod/fast/pod-delete.yaml "$out/stages/"
}

kube_install() {
  require_go
  cached_build kubernetes "$KUBE_VERSION" "$KUBE_BIN" build_kubernetes
  cached_build etcd "$ETCD_VERSION" "$ETCD_BIN" build_etcd
  cached_build kwok "$KWOK_VERSION" "$KWOK_BIN" build_kwok
}
kube_prebuild() { kube_install; }

kube_write_kubeconfig() {
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$KUBE_API_PORT
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: $KUBE_TOKEN
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: default}
current-context: local
EOF
}

kube_pki() {
  mkdir -p "$KUBE_STATE/pki"
  [ -f "$KUBE_STATE/sa.key" ] || {
    openssl genrsa -out "$KUBE_STATE/sa.key" 2048 2>/dev/null
    openssl rsa -in "$KUBE_STATE/sa.key" -pubout -out "$KUBE_STATE/sa.pub" 2>/dev/null
  }
  echo "$KUBE_TOKEN,admin,admin,\"system:masters\"" >"$KUBE_STATE/tokens.csv"
  chmod 600 "$KUBE_STATE/tokens.csv" "$KUBE_STATE/sa.key"
}

api_ready() { curl -sfk --max-time 2 -H "Authorization: Bearer $KUBE_TOKEN" "https://127.0.0.1:$KUBE_API_PORT/readyz" | grep -q ok; }
etcd_ready() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }

kube_start_etcd() {
  pid_alive etcd && return 0
  require_free_port etcd "$ETCD_PORT"
  start_daemon etcd "$INFRA_LOGS/etcd.log" "$ETCD_BIN/etcd" --name local --data-dir "$KUBE_STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" --unsafe-no-fsync
  wait_until etcd "$INFRA_LOGS/etcd.log" 30 etcd_ready
}

# The real node's name resolves nowhere: the API server reaches its kubelet (kubectl logs, exec,
# port-forward) by the node's InternalIP, the bridge address.
kube_start_apiserver() {
  pid_alive kube-apiserver && return 0
  require_free_port kube-apiserver "$KUBE_API_PORT"
  start_daemon kube-apiserver "$INFRA_LOGS/kube-apiserver.log" "$KUBE_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" --cert-dir "$KUBE_STATE/pki" \
    --bind-address 127.0.0.1 --secure-port "$KUBE_API_PORT" --advertise-address 127.0.0.1 \
    --endpoint-reconciler-type none --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
    --authorization-mode RBAC --service-account-issuer "https://127.0.0.1:$KUBE_API_PORT/" \
    --service-account-key-file "$KUBE_STATE/sa.pub" --service-account-signing-key-file "$KUBE_STATE/sa.key" \
    --token-auth-file "$KUBE_STATE/tokens.csv" --disable-admission-plugins ServiceAccount \
    --kubelet-preferred-address-types InternalIP,Hostname
  wait_until kube-apiserver "$INFRA_LOGS/kube-apiserver.log" 90 api_ready
}

kube_start_controllers() {
  pid_alive kube-controller-manager || start_daemon kube-controller-manager "$INFRA_LOGS/kube-controller-manager.log" \
    "$KUBE_BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --secure-port 0 \
    --service-account-private-key-file "$KUBE_STATE/sa.key" --use-service-account-credentials=false \
    --controllers '*,-serviceaccount-token,-nodeipam'
  if ! pid_alive kube-scheduler; then
    require_free_port kube-scheduler "$KUBE_SCHEDULER_PORT"
    start_daemon kube-scheduler "$INFRA_LOGS/kube-scheduler.log" "$KUBE_BIN/kube-scheduler" \
      --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --bind-address 127.0.0.1 --secure-port "$KUBE_SCHEDULER_PORT"
  fi
}

kube_start_kwok() {
  if ! pid_alive kwok; then
    local configs=()
    for f in "$KWOK_BIN"/stages/*.yaml; do configs+=(--config "$f"); done
    start_daemon kwok "$INFRA_LOGS/kwok.log" "$KWOK_BIN/kwok" --kubeconfig "$KUBECONFIG_FILE" \
      --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
      --cidr 10.0.0.0/24 --node-ip 10.0.0.1 --node-lease-duration-seconds 40 --server-address 127.0.0.1:0 \
      "${configs[@]}"
  fi
  "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply -f - >>"$INFRA_LOGS/kwok.log" 2>&1 <<'EOF' || fail_with_log kwok "$INFRA_LOGS/kwok.log" "could not create the fake node"
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000"}
EOF
  wait_until kwok "$INFRA_LOGS/kwok.log" 60 node_ready
}

node_ready() {
  "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" get node kwok-node-0 \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -q True
}

kube_start() {
  mkdir -p "$KUBE_STATE"
  kube_pki
  kube_write_kubeconfig
  kube_start_etcd
  kube_start_apiserver
  kube_start_controllers
  kube_start_kwok
}

kube_stop() {
  # The API server's clients together, then the API server, then its store.
  for d in kwok kube-scheduler kube-controller-manager; do stop_daemon "$d" & done
  wait
  for d in kube-apiserver etcd; do stop_daemon "$d"; done
}

kube_status() {
  local d
  for d in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    if pid_alive "$d"; then
      case $d in
        etcd) status_line "$d" running "$ETCD_PORT" "$ETCD_VERSION" ;;
        kube-apiserver) status_line "$d" running "$KUBE_API_PORT" "$KUBE_VERSION" ;;
        kube-scheduler) status_line "$d" running "$KUBE_SCHEDULER_PORT" "$KUBE_VERSION" ;;
        kwok) status_line "$d" running - "$KWOK_VERSION" ;;
        *) status_line "$d" running - "$KUBE_VERSION" ;;
      esac
    else
      status_line "$d" stopped - -
    fi
  done
}

kube_env() {
  echo "KUBECONFIG=$KUBECONFIG_FILE"
  echo "ETCD_URL=http://127.0.0.1:$ETCD_PORT"
  echo "KUBE_API_PORT=$KUBE_API_PORT"
  echo "KUBECTL_BIN=$KUBE_BIN/kubectl"
}
