# Command-line clients: grpcurl (internal gRPC calls) and helm (chart lint / template), from Go modules.
GRPCURL_VERSION=${GRPCURL_VERSION:-1.9.3}
HELM_VERSION=${HELM_VERSION:-3.22.0}
GRPCURL_DIR=$INFRA_CACHE/grpcurl-$GRPCURL_VERSION
HELM_DIR=$INFRA_CACHE/helm-$HELM_VERSION

build_grpcurl() { CGO_ENABLED=0 GOBIN=$1 go install -trimpath -ldflags "-s -w" "github.com/fullstorydev/grpcurl/cmd/grpcurl@v$GRPCURL_VERSION"; }
build_helm() {
  CGO_ENABLED=0 GOBIN=$1 go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

tools_install() {
  require_go
  cached_build grpcurl "$GRPCURL_VERSION" "$GRPCURL_DIR" build_grpcurl
  cached_build helm "$HELM_VERSION" "$HELM_DIR" build_helm
}
tools_prebuild() { tools_install; }

tools_status() {
  local t
  for t in grpcurl helm; do
    local dir=$GRPCURL_DIR version=$GRPCURL_VERSION
    [ $t = helm ] && dir=$HELM_DIR version=$HELM_VERSION
    if [ -f "$dir/.complete" ]; then status_line "$t" installed - "$version"; else status_line "$t" absent - -; fi
  done
}

tools_env() {
  echo "GRPCURL_BIN=$GRPCURL_DIR/grpcurl"
  echo "HELM_BIN=$HELM_DIR/helm"
}
