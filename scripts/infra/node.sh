# A real Kubernetes worker node beside kwok's fake one, without Docker: Debian's containerd + runc +
# CNI plugins, kubelet and kube-proxy built from the same wrapper module as the control plane, and
# CoreDNS for the cluster's DNS. Pods run in an own containerd (root, state and socket under
# .infra/node), on the bridge shopbr0 (10.77.0.0/24, reachable from this machine). The node is
# labelled shopstack.io/node=real; kwok's node carries type=kwok, so the shop's pods are placed on the
# real node with a nodeSelector and the operator's scale benchmark keeps using kwok.
NODE_NAME=${NODE_NAME:-shopstack-node-0}
NODE_BRIDGE=${NODE_BRIDGE:-shopbr0}
NODE_SUBNET=${NODE_SUBNET:-10.77.0.0/24}
NODE_IP=${NODE_IP:-10.77.0.1}
COREDNS_VERSION=${COREDNS_VERSION:-1.14.7}
KUBELET_PORT=${KUBELET_PORT:-10250}
KUBE_PROXY_METRICS_PORT=${KUBE_PROXY_METRICS_PORT:-10249}
KUBE_PROXY_HEALTH_PORT=${KUBE_PROXY_HEALTH_PORT:-10256}
CLUSTER_DNS_IP=${CLUSTER_DNS_IP:-$NODE_IP}
KUBE_SERVICE_CIDR=${KUBE_SERVICE_CIDR:-10.0.0.0/24} # the API server's --service-cluster-ip-range

NODE_BIN=$INFRA_CACHE/kubernetes-node-$KUBE_VERSION
COREDNS_BIN=$INFRA_CACHE/coredns-$COREDNS_VERSION
NODE_STATE=$INFRA_STATE/node
CONTAINERD_SOCK=$NODE_STATE/containerd/containerd.sock

# kubelet and kube-proxy from the control plane's wrapper module (same go.mod, so the same module
# versions and a warm build cache), plus the pause image's binary from the Kubernetes module itself.
build_kubernetes_node() {
  local out=$1 src=$1/src minor=${KUBE_VERSION#1.}
  minor=${minor%%.*}
  mkdir -p "$src"
  cp "$KUBE_BIN/src/go.mod" "$KUBE_BIN/src/go.sum" "$src/"
  cd "$src"
  echo "resolving modules for kubelet kube-proxy"
  go get -tool "k8s.io/kubernetes/cmd/kubelet@v$KUBE_VERSION" "k8s.io/kubernetes/cmd/kube-proxy@v$KUBE_VERSION"
  echo "compiling kubelet kube-proxy (slow on the first run)"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
    -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION" -o "$out/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
  local mod
  mod=$(go env GOMODCACHE)/k8s.io/kubernetes@v$KUBE_VERSION
  gcc -Os -static -DVERSION="v$KUBE_VERSION" -o "$out/pause" "$mod/build/pause/linux/pause.c"
}

build_coredns() {
  local out=$1
  CGO_ENABLED=0 GOBIN=$out go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@v$COREDNS_VERSION"
}

node_builds() {
  kube_install
  cached_build kubernetes-node "$KUBE_VERSION" "$NODE_BIN" build_kubernetes_node
  cached_build coredns "$COREDNS_VERSION" "$COREDNS_BIN" build_coredns
}

node_install() {
  require_go
  apt_install containerd runc containernetworking-plugins iptables nftables conntrack socat umoci skopeo debootstrap gcc libc6-dev
  node_builds
  images_install
}
# Pause is compiled with gcc, which a machine of this kind has before the packages above; where it does
# not, this lane's kubelet build fails and the foreground builds it again after installing them.
node_prebuild() { require_go && node_builds; }

node_kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
node_ctr() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }
containerd_ready() { node_ctr version; }

node_bridge() {
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 || as_root ip link add "$NODE_BRIDGE" type bridge
  ip -4 addr show dev "$NODE_BRIDGE" | grep -q "inet $NODE_IP/" ||
    as_root ip addr add "$NODE_IP/${NODE_SUBNET#*/}" dev "$NODE_BRIDGE"
  as_root ip link set "$NODE_BRIDGE" up
  # ClusterIPs are translated by kube-proxy on the way out; route them to the bridge so that this
  # machine reaches them even without a default route.
  as_root ip route replace "$KUBE_SERVICE_CIDR" dev "$NODE_BRIDGE"
  # Pods reach each other and this machine; their packets are not forwarded anywhere else.
  as_root sysctl -qw net.ipv4.ip_forward=1
}

# write_if_changed FILE < content — kube-proxy exits when its config file changes, even to the same text.
write_if_changed() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

node_write_config() {
  mkdir -p "$NODE_STATE"/{containerd,cni/net.d,cni/ipam,kubelet,pod-logs,images}
  write_if_changed "$NODE_STATE/containerd/config.toml" <<TOML
version = 2
root = "$NODE_STATE/containerd/root"
state = "$NODE_STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "shopstack.local/pause:$KUBE_VERSION"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # This machine takes CAP_SYS_RESOURCE from root: without it every sandbox fails to start.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_STATE/cni/net.d"
TOML
  write_if_changed "$NODE_STATE/cni/net.d/10-shopstack.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "shopstack",
  "plugins": [
    {
      "type": "bridge", "bridge": "$NODE_BRIDGE", "isGateway": true, "hairpinMode": true, "ipMasq": false,
      "ipam": {
        "type": "host-local", "dataDir": "$NODE_STATE/cni/ipam",
        "ranges": [[{ "subnet": "$NODE_SUBNET", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  write_if_changed "$NODE_STATE/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# kubelet refuses a loopback node address: it serves on the bridge, which only this machine reaches.
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# The API server reaches the kubelet (logs, exec, port-forward) without a client certificate here.
authentication: { anonymous: { enabled: true }, webhook: { enabled: false } }
authorization: { mode: AlwaysAllow }
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $NODE_STATE/pod-logs
# Images are imported, never pulled: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: cluster.local
resolvConf: ""
serializeImagePulls: false
# Only pods that ask for the real node land here; kwok's node keeps everything else.
registerWithTaints: [{ key: shopstack.io/node, value: real, effect: NoSchedule }]
YAML
  write_if_changed "$NODE_STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $KUBECONFIG_FILE }
hostnameOverride: $NODE_NAME
mode: nftables
clusterCIDR: $NODE_SUBNET
bindAddress: 127.0.0.1
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTH_PORT
nodePortAddresses: [127.0.0.1/32]
# Replies of pod-to-Service traffic on one bridge come back through this machine.
nftables: { masqueradeAll: true }
conntrack: { maxPerCore: 0 }
YAML
  write_if_changed "$NODE_STATE/Corefile" <<CORE
.:53 {
  bind $CLUSTER_DNS_IP
  errors
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KUBECONFIG_FILE local
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  health 127.0.0.1:10254
  ready 127.0.0.1:10255
}
CORE
}

# The pause image from the binary built with kubelet: one static file, no base image.
node_import_pause() {
  node_ctr images ls -q | grep -qx "shopstack.local/pause:$KUBE_VERSION" && return 0
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/rootfs"
  cp "$NODE_BIN/pause" "$dir/rootfs/pause"
  umoci init --layout "$dir/oci" && umoci new --image "$dir/oci:pause" &&
    umoci insert --rootless --image "$dir/oci:pause" "$dir/rootfs" / &&
    umoci config --image "$dir/oci:pause" --os linux --architecture amd64 --config.entrypoint /pause \
      --config.user 65535:65535 &&
    skopeo copy -q "oci:$dir/oci:pause" "docker-archive:$dir/pause.tar:shopstack.local/pause:$KUBE_VERSION" &&
    node_ctr images import "$dir/pause.tar"
  local rc=$?
  rm -rf "$dir"
  return $rc
}

node_registered_ready() {
  node_kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -q True
}
coredns_ready() { curl -sf --max-time 2 http://127.0.0.1:10255/ready >/dev/null; }

node_start() {
  [ -f "$KUBECONFIG_FILE" ] && api_ready || fail "the node needs the control plane: npm run infra -- up kube"
  node_write_config
  node_bridge
  if ! pid_alive containerd; then
    start_daemon containerd "$INFRA_LOGS/containerd.log" containerd --config "$NODE_STATE/containerd/config.toml"
    wait_until containerd "$INFRA_LOGS/containerd.log" 30 containerd_ready
  fi
  node_import_pause >>"$INFRA_LOGS/containerd.log" 2>&1 || fail_with_log node "$INFRA_LOGS/containerd.log" "could not import the pause image"
  image_import_base >>"$INFRA_LOGS/containerd.log" 2>&1 || fail_with_log node "$INFRA_LOGS/containerd.log" "could not import the base image"
  if ! pid_alive coredns; then
    start_daemon coredns "$INFRA_LOGS/coredns.log" "$COREDNS_BIN/coredns" -conf "$NODE_STATE/Corefile"
    wait_until coredns "$INFRA_LOGS/coredns.log" 30 coredns_ready
  fi
  pid_alive kubelet || start_daemon kubelet "$INFRA_LOGS/kubelet.log" "$NODE_BIN/kubelet" \
    --config "$NODE_STATE/kubelet/config.yaml" --kubeconfig "$KUBECONFIG_FILE" \
    --root-dir "$NODE_STATE/kubelet" --cert-dir "$NODE_STATE/kubelet/pki" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --node-labels "shopstack.io/node=real"
  wait_until kubelet "$INFRA_LOGS/kubelet.log" 90 node_registered_ready
  pid_alive kube-proxy || start_daemon kube-proxy "$INFRA_LOGS/kube-proxy.log" "$NODE_BIN/kube-proxy" \
    --config "$NODE_STATE/kube-proxy.yaml"
  wait_until kube-proxy "$INFRA_LOGS/kube-proxy.log" 30 curl -sf --max-time 2 "http://127.0.0.1:$KUBE_PROXY_HEALTH_PORT/healthz"
}

# Teardown in the order that leaves nothing behind: pods, the proxy's rules, kubelet, whatever
# containers are left (their shims, mounts and veths), containerd, then mounts, bridge and cgroups.
node_stop() {
  if [ -f "$KUBECONFIG_FILE" ] && api_ready 2>/dev/null; then
    node_kubectl delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --grace-period 5 --wait=false >/dev/null 2>&1 || true
    node_kubectl delete node "$NODE_NAME" --wait=false >/dev/null 2>&1 || true
  fi
  if pid_alive kube-proxy; then
    stop_daemon kube-proxy
    [ -x "$NODE_BIN/kube-proxy" ] && "$NODE_BIN/kube-proxy" --cleanup >>"$INFRA_LOGS/kube-proxy.log" 2>&1 || true
  fi
  stop_daemon kubelet
  stop_daemon coredns
  if pid_alive containerd; then
    local id
    for id in $(node_ctr tasks ls -q 2>/dev/null); do node_ctr tasks kill -s KILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(node_ctr tasks ls -q 2>/dev/null); do node_ctr tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(node_ctr containers ls -q 2>/dev/null); do node_ctr containers delete "$id" >/dev/null 2>&1 || true; done
    stop_daemon containerd
  fi
  kill_shims
  # Mounts under the node's state (pod volumes, rootfs snapshots, sandbox namespaces), deepest first.
  local m real
  real=$(cd "$NODE_STATE" 2>/dev/null && pwd -P) || real=$NODE_STATE
  for m in $(awk -v root="$real/" 'index($2 "/", root) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    as_root umount -l "$m" 2>/dev/null || true
  done
  # Leftover pod interfaces and the bridge.
  for m in $(ip -o link show master "$NODE_BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    as_root ip link delete "$m" 2>/dev/null || true
  done
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 && as_root ip link delete "$NODE_BRIDGE"
  # kubelet's pod cgroups, in every v1 hierarchy, leaves first.
  local c
  for c in /sys/fs/cgroup/*/kubepods; do
    [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$NODE_STATE/cni/ipam"
}

# Shims outlive a stopped containerd; each one's pid is in our containerd's state folder.
kill_shims() {
  local f
  for f in "$NODE_STATE"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
}

node_status() {
  local d
  for d in containerd coredns kubelet kube-proxy; do
    if pid_alive "$d"; then
      case $d in
        kubelet) status_line "$d" running "$KUBELET_PORT" "$KUBE_VERSION ($NODE_NAME on $NODE_IP)" ;;
        coredns) status_line "$d" running 53 "$COREDNS_VERSION" ;;
        containerd) status_line "$d" running - "$(containerd --version | awk '{ print $3 }')" ;;
        *) status_line "$d" running - "$KUBE_VERSION" ;;
      esac
    else
      status_line "$d" stopped - -
    fi
  done
}

node_env() {
  echo "KUBE_NODE_NAME=$NODE_NAME"
  echo "KUBE_NODE_IP=$NODE_IP"
  echo "NODE_CONTAINERD_SOCK=$CONTAINERD_SOCK"
  echo "NODE_BASE_IMAGE=$(image_base_ref)"
}
