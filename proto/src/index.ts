// The descriptor set that gRPC server reflection serves. The generated contracts themselves are
// imported per service: `import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users'`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// gen/ is produced at the package root by gen.sh; this file runs from src/ (source) or dist/src/ (build).
const candidates = ['../gen/descriptor-set.binpb', '../../gen/descriptor-set.binpb'].map((relative) =>
  fileURLToPath(new URL(relative, import.meta.url)),
);

/** Every shop.* file descriptor, protobuf-encoded (google.protobuf.FileDescriptorSet). */
export function loadDescriptorSet(): Uint8Array {
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error('descriptor set missing: run `npm run gen -w @shopstack/proto`');
  return readFileSync(found);
}
