# Schemathesis (property-based fuzzing of the services' OpenAPI documents), from PyPI into a venv
# cached by version, like Envoy's wheel. Nothing to start: the fuzz tests run its CLI.
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
SCHEMATHESIS_VENV=$INFRA_CACHE/schemathesis-$SCHEMATHESIS_VERSION

build_schemathesis() {
  python3 -m venv "$1/venv"
  "$1/venv/bin/pip" install --disable-pip-version-check -q "schemathesis==$SCHEMATHESIS_VERSION"
  ln -sf "$1/venv/bin/st" "$1/st"
  "$1/st" --version
}

schemathesis_install() { cached_build schemathesis "$SCHEMATHESIS_VERSION" "$SCHEMATHESIS_VENV" build_schemathesis; }

schemathesis_status() {
  if [ -f "$SCHEMATHESIS_VENV/.complete" ]; then
    status_line schemathesis installed - "$SCHEMATHESIS_VERSION"
  else
    status_line schemathesis absent - -
  fi
}

schemathesis_env() { echo "SCHEMATHESIS_BIN=$SCHEMATHESIS_VENV/st"; }
