#!/usr/bin/env bash
# Regenerates the TypeScript and the descriptor set (for gRPC server reflection) from the .proto files.
# Run by `npm run gen -w @shopstack/proto`, by `npm install` (prepare) and by the build.
set -euo pipefail
cd "$(dirname "$0")"
BIN=$(cd .. && pwd)/node_modules/.bin
[ -x ./node_modules/.bin/protoc-gen-ts_proto ] || { mkdir -p node_modules/.bin; ln -sf "$BIN/protoc-gen-ts_proto" node_modules/.bin/; }
rm -rf gen
"$BIN/buf" lint
"$BIN/buf" generate
"$BIN/buf" build -o gen/descriptor-set.binpb
