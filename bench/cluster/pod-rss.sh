#!/usr/bin/env bash
# Resident memory of every container of a namespace's pods on the real node: the sum of VmRSS over the
# processes of each container's memory cgroup (RabbitMQ, PostgreSQL run several), largest first.
#   bash bench/cluster/pod-rss.sh NAMESPACE
set -euo pipefail
cd "$(dirname "$0")/../.."
namespace=${1:?usage: pod-rss.sh NAMESPACE}
sock=$(sed -n 's/^NODE_CONTAINERD_SOCK=//p' .infra/env)
node_ctr() { ctr --address "$sock" -n k8s.io "$@"; }
while read -r id pid; do
  info=$(node_ctr containers info "$id")
  [ "$(jq -r '.Labels["io.kubernetes.pod.namespace"] // ""' <<<"$info")" = "$namespace" ] || continue
  [ "$(jq -r '.Labels["io.cri-containerd.kind"] // ""' <<<"$info")" = container ] || continue
  pod=$(jq -r '.Labels["io.kubernetes.pod.name"]' <<<"$info")
  cgroup=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup")
  kib=0
  for p in $(cat "/sys/fs/cgroup/memory$cgroup/cgroup.procs" 2>/dev/null || echo "$pid"); do
    # A zombie or a kernel thread has no VmRSS; a process gone meanwhile has no status at all.
    kib=$((kib + $(cat "/proc/$p/status" 2>/dev/null | awk '/^VmRSS:/ { k = $2 } END { print k + 0 }')))
  done
  awk -v k="$kib" -v p="$pod" 'BEGIN { printf "%8.1f MiB  %s\n", k / 1024, p }'
done < <(node_ctr tasks ls | awk 'NR > 1 && $3 == "RUNNING" { print $1, $2 }') |
  sort -rn | awk '{ sum += $1; print } END { printf "%8.1f MiB  total\n", sum }'
