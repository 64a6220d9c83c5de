#!/usr/bin/env bash
# npm stop: stops the platform's processes and then the infrastructure. State stays in .infra/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/infra/lib.sh
for f in scripts/infra/*.sh; do [ "$(basename "$f")" = lib.sh ] || source "$f"; done
source scripts/local/services.sh
source scripts/local/platform.sh

stop_platform
bash scripts/infra.sh down
say "stopped"
