# Sourced by start.sh and test.sh: installs the npm dependencies when the lockfile changed since the last
# install, then generates code from proto/ (generated code is never committed).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then return; fi
  local key cache
  key=$(node_modules_key)
  cache=${SHOPSTACK_CACHE:-$HOME/.cache/shopstack}/node-modules/$key
  if [ -f "$cache/complete" ]; then
    echo "[deps] node_modules from the cache (${key:0:12}: same lockfile, manifests and Node)" >&2
    restore_node_modules "$cache"
    return
  fi
  # `npm install` from the committed lockfile rather than `npm ci`: Biome lists a binary package per
  # platform as optional, the registry serves only some of them, and `npm ci` refuses a lockfile
  # that lacks the others, while `npm install` skips optional packages it cannot fetch.
  echo "[deps] npm install from the lockfile (first run or lockfile changed)" >&2
  npm install --no-audit --no-fund >&2
  save_node_modules "$cache"
}

# What an install depends on: the lockfile, every workspace's manifest, Node's version and the machine.
node_modules_key() {
  { cat package-lock.json; git ls-files -z -- package.json '*/package.json' | xargs -0 cat; node --version; uname -m; } |
    sha256sum | cut -c1-32
}

# Every node_modules the install made: the root's and those of workspaces with a version of their own.
installed_node_modules() {
  git ls-files -- package.json '*/package.json' | while read -r manifest; do
    local dir
    dir=$(dirname "$manifest")
    if [ -d "$dir/node_modules" ]; then echo "$dir/node_modules"; fi
  done
}

# A copy, not hard links: nothing written into a clone's node_modules can reach the cache. Saved under
# a temporary name and renamed, so a run cut short leaves no half cache; only the newest two are kept.
save_node_modules() {
  local cache=$1 tmp
  tmp="$cache.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  installed_node_modules | while read -r dir; do
    mkdir -p "$tmp/$(dirname "$dir")" && cp -a "$dir" "$tmp/$dir"
  done
  touch "$tmp/complete"
  rm -rf "$cache" && mv "$tmp" "$cache"
  ls -1dt "$(dirname "$cache")"/*/ 2>/dev/null | tail -n +3 | xargs -r rm -rf
}

restore_node_modules() {
  local cache=$1
  (cd "$cache" && find . -name node_modules -prune -print) | while read -r dir; do
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && cp -a "$cache/$dir" "$dir"
  done
  # The copy keeps the cache's times: mark the install as newer than this checkout's lockfile.
  touch node_modules/.package-lock.json
}

generate_code() {
  npm run --workspaces --if-present gen >&2
}

# The web app (web/dist) with Vite; skipped when its inputs did not change since the last build.
build_web() {
  npm run --silent build -w @shopstack/web >&2
}
