# Images for the real node, built without Docker or a registry: a Debian bookworm rootfs made by
# debootstrap with this machine's Node.js (the base, cached by Debian suite and Node version), plus a
# layer per image, assembled with umoci, converted by skopeo and imported into the node's containerd.
# Pods use them with imagePullPolicy Never. Sourced by infra.sh (after node.sh).
IMAGE_BASE_SUITE=${IMAGE_BASE_SUITE:-bookworm}
IMAGE_REGISTRY=${IMAGE_REGISTRY:-shopstack.local}

image_node_version() { node --version | tr -d v; }
image_base_dir() { echo "$INFRA_CACHE/image-base-$IMAGE_BASE_SUITE-node$(image_node_version)"; }

build_image_base() {
  local out=$1 mirror
  # Either file may be missing (Debian 12 images ship only debian.sources): sed's complaint is not a failure.
  mirror=$({ sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*\) .*/\1/p' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } | head -1)
  rm -rf "$out/rootfs" "$out/oci"
  echo "debootstrap $IMAGE_BASE_SUITE from ${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase "$IMAGE_BASE_SUITE" "$out/rootfs" "${mirror:-http://deb.debian.org/debian}"
  rm -rf "$out/rootfs/var/cache/apt/archives"/*.deb "$out/rootfs/var/lib/apt/lists"/*
  cp "$(command -v node)" "$out/rootfs/usr/bin/node"
  # The unprivileged user every ShopStack container runs as (as distroless' nonroot).
  echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin' >>"$out/rootfs/etc/passwd"
  echo 'nonroot:x:65532:' >>"$out/rootfs/etc/group"
  mkdir -p "$out/rootfs/home/nonroot" && chown 65532:65532 "$out/rootfs/home/nonroot"
  umoci init --layout "$out/oci"
  umoci new --image "$out/oci:base"
  umoci insert --image "$out/oci:base" "$out/rootfs" /
  rm -rf "$out/rootfs"
}

images_install() {
  apt_install debootstrap umoci skopeo jq
  cached_build image-base "$IMAGE_BASE_SUITE-node$(image_node_version)" "$(image_base_dir)" build_image_base
}

# image_present REF — whether the node's containerd has REF.
image_present() { node_ctr images ls -q 2>/dev/null | grep -qx "$1"; }

# image_build NAME TAG CONTENT_DIR ENTRYPOINT... — the base plus CONTENT_DIR at /app, imported as
# $IMAGE_REGISTRY/NAME:TAG. Callers make TAG from a hash of the content, so an unchanged image is
# found by its tag and not built again.
image_build() {
  local name=$1 tag=$2 content=$3 ref dir
  shift 3
  ref=$IMAGE_REGISTRY/$name:$tag
  image_present "$ref" && return 0
  dir=$(mktemp -d "$INFRA_STATE/image-XXXXXX")
  # Blobs are immutable and shared by hard links; the index is rewritten, so it is copied.
  cp -al "$(image_base_dir)/oci" "$dir/oci" && rm "$dir/oci/index.json" && cp "$(image_base_dir)/oci/index.json" "$dir/oci/"
  local entry=() arg
  for arg in "$@"; do entry+=(--config.entrypoint "$arg"); done
  umoci insert --image "$dir/oci:base" "$content" /app &&
    umoci config --image "$dir/oci:base" --os linux --architecture amd64 --config.workingdir /app \
      --config.user 65532:65532 --config.env NODE_ENV=production "${entry[@]}" &&
    skopeo copy -q "oci:$dir/oci:base" "docker-archive:$dir/image.tar:$ref" &&
    node_ctr images import "$dir/image.tar" >/dev/null
  local rc=$?
  rm -rf "$dir"
  return $rc
}

image_base_ref() { echo "$IMAGE_REGISTRY/base:$IMAGE_BASE_SUITE-node$(image_node_version)"; }

# The base itself, for pods that bring their code in a volume (the node's own tests).
image_import_base() {
  local ref dir
  ref=$(image_base_ref)
  image_present "$ref" && return 0
  dir=$(mktemp -d "$INFRA_STATE/image-XXXXXX")
  skopeo copy -q "oci:$(image_base_dir)/oci:base" "docker-archive:$dir/image.tar:$ref" &&
    node_ctr images import "$dir/image.tar" >/dev/null
  local rc=$?
  rm -rf "$dir"
  return $rc
}
