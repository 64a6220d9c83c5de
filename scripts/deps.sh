# Sourced by start.sh and test.sh: installs the npm dependencies when the lockfile changed since the last
# install, then generates code from proto/ (generated code is never committed).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "[deps] npm ci (first run or lockfile changed)" >&2
    npm ci --no-audit --no-fund >&2
  fi
}

generate_code() {
  npm run --workspaces --if-present gen >&2
}
