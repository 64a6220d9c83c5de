# Chromium from Debian's packages, for the browser tests (Playwright's playwright-core drives it;
# Playwright's own browser download is never used). About 75 s on a fresh 2-core machine, apt-get
# update included; nothing to start or stop.
CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}

chromium_install() {
  dpkg -s chromium >/dev/null 2>&1 && return 0
  local started=$SECONDS
  apt_install chromium
  say "chromium: installed in $((SECONDS - started))s"
}

chromium_status() {
  if [ -x "$CHROMIUM_BIN" ]; then
    status_line chromium installed - "$(dpkg-query -W -f '${Version}' chromium 2>/dev/null)"
  else
    status_line chromium absent - -
  fi
}

chromium_env() { echo "CHROMIUM_BIN=$CHROMIUM_BIN"; }
