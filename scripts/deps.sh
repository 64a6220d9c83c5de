# Sourced by start.sh and test.sh: installs the npm dependencies when the lockfile changed since the last
# install, then generates code from proto/ (generated code is never committed).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    # `npm install` from the committed lockfile rather than `npm ci`: Biome lists a binary package per
    # platform as optional, the registry serves only some of them, and `npm ci` refuses a lockfile
    # that lacks the others, while `npm install` skips optional packages it cannot fetch.
    echo "[deps] npm install from the lockfile (first run or lockfile changed)" >&2
    npm install --no-audit --no-fund >&2
  fi
}

generate_code() {
  npm run --workspaces --if-present gen >&2
}

# The web app (web/dist) with Vite; skipped when its inputs did not change since the last build.
build_web() {
  npm run --silent build -w @shopstack/web >&2
}
