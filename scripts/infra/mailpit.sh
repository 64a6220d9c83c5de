# Mailpit: a real SMTP server (1025) with an HTTP API and web UI (8025); tests read received mail through
# its API, and a person opens the verification email in the browser.
MAILPIT_VERSION=${MAILPIT_VERSION:-1.33.1}
MAILPIT_SMTP_PORT=${MAILPIT_SMTP_PORT:-1025}
MAILPIT_HTTP_PORT=${MAILPIT_HTTP_PORT:-8025}
MAILPIT_DIR=$INFRA_CACHE/mailpit-$MAILPIT_VERSION

# Built from a copy of the module's source: the module carries the web UI's sources (server/ui-src) but
# not its bundle (server/ui/dist, made by the project's esbuild script), so the bundle is built with npm
# from the module's own lockfile first, else the web UI would serve blank pages (the API works either way).
build_mailpit() {
  local src=$1/src dir
  GOFLAGS=-mod=mod go mod download -json "github.com/axllent/mailpit@v$MAILPIT_VERSION" >"$1/download.json"
  dir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$1/download.json")
  rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  cd "$src"
  # The module's lockfile pins versions the registry may not serve (sass-embedded 1.108.1), and its
  # rapidoc ^12 (the API docs page only) is not served here either: then resolve the ranges afresh with
  # rapidoc 9, whose web component the docs page uses the same way. Without a bundle the web UI is blank
  # but SMTP and the API (what the tests use) work, so that is a warning, not a failure.
  echo "web UI: npm ci"
  if npm ci --ignore-scripts --no-audit --no-fund --loglevel=error ||
    { echo "web UI: lockfile not installable; resolving package.json afresh (rapidoc ^9.3.8)" &&
      rm -rf node_modules package-lock.json && npm pkg set dependencies.rapidoc=^9.3.8 &&
      npm install --ignore-scripts --no-audit --no-fund --loglevel=error; }; then
    echo "web UI: bundle"
    npm run build || echo "WARNING: web UI bundle failed; Mailpit serves its API only"
  else
    echo "WARNING: web UI dependencies not installable; Mailpit serves its API only"
  fi
  echo "go build"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=v$MAILPIT_VERSION" -o "$1/mailpit" .
  rm -rf "$src/node_modules"
}

mailpit_install() {
  require_go
  command -v npm >/dev/null || fail "npm is needed to build Mailpit's web UI"
  cached_build mailpit "$MAILPIT_VERSION" "$MAILPIT_DIR" build_mailpit
}

mailpit_start() {
  pid_alive mailpit && return 0
  require_free_port mailpit "$MAILPIT_SMTP_PORT"
  require_free_port mailpit "$MAILPIT_HTTP_PORT"
  local log=$INFRA_LOGS/mailpit.log
  mkdir -p "$INFRA_STATE/mailpit"
  # Mail kept in a file under the state folder (survives a restart); plain SMTP without auth on loopback
  # only, which Mailpit accepts as a local development server.
  start_daemon mailpit "$log" "$MAILPIT_DIR/mailpit" \
    --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --database "$INFRA_STATE/mailpit/mailpit.db" --max 20000 --disable-version-check
  wait_until mailpit "$log" 30 curl -sf "http://127.0.0.1:$MAILPIT_HTTP_PORT/readyz"
}

mailpit_stop() { stop_daemon mailpit; }

mailpit_status() {
  daemon_status mailpit "$MAILPIT_DIR" "$MAILPIT_SMTP_PORT/$MAILPIT_HTTP_PORT" "$MAILPIT_VERSION"
}

mailpit_env() {
  echo "SMTP_URL=smtp://127.0.0.1:$MAILPIT_SMTP_PORT"
  echo "MAILPIT_URL=http://127.0.0.1:$MAILPIT_HTTP_PORT"
}
