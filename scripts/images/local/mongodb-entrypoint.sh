#!/bin/sh
# The MongoDB stand-in: FerretDB speaking MongoDB's wire protocol on 27017, its data in SQLite inside
# the container (a throwaway database, like the kind workflow's mongo:7). As the official mongo image
# does, MONGO_INITDB_ROOT_USERNAME / _PASSWORD make a user in the admin database (SCRAM, so clients
# authenticate with authSource=admin). mongod's own arguments do not apply and are ignored.
set -eu
mkdir -p /tmp/ferretdb
set -- --handler=sqlite --sqlite-url=file:/tmp/ferretdb/ --listen-addr=:27017 \
  --telemetry=disable --state-dir=- --debug-addr=- --log-level=error
if [ -n "${MONGO_INITDB_ROOT_USERNAME:-}" ]; then
  set -- "$@" --test-enable-new-auth --setup-database=admin \
    --setup-username="$MONGO_INITDB_ROOT_USERNAME" --setup-password="${MONGO_INITDB_ROOT_PASSWORD:?}"
fi
exec ferretdb "$@"
