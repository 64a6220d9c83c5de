#!/usr/bin/env bash
# Regenerates the TypeScript and the descriptor set (for gRPC server reflection) from the .proto files.
# Run by `npm run gen -w @shopstack/proto`, by `npm install` (prepare) and by the build.
# Output is built in a scratch folder and swapped in at the end, so a service starting meanwhile
# never sees a half-written gen/.
set -euo pipefail
cd "$(dirname "$0")"
BIN=$(cd .. && pwd)/node_modules/.bin
[ -x ./node_modules/.bin/protoc-gen-ts_proto ] || { mkdir -p node_modules/.bin; ln -sf "$BIN/protoc-gen-ts_proto" node_modules/.bin/; }
scratch=$(mktemp -d "$PWD/.gen.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
chmod 755 "$scratch"
"$BIN/buf" lint
"$BIN/buf" generate -o "$scratch" --exclude-path grpc
"$BIN/buf" build -o "$scratch/descriptor-set.binpb"
rm -rf ".gen.old.$$"
[ -d gen ] && mv gen ".gen.old.$$"
mv "$scratch" gen
rm -rf ".gen.old.$$"
