// Writes the CRD generated from the zod types into the Helm chart: `npm run generate -w @shopstack/operator`.
// A unit test fails when the committed file differs from what this would write.
import { writeFileSync } from 'node:fs';
import { CRD_PATH, crdYaml } from '../crd-file.js';

writeFileSync(CRD_PATH, crdYaml());
console.log(`wrote ${CRD_PATH}`);
