import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { shopDeploymentCrd } from './api/crd.js';

export const CRD_PATH = fileURLToPath(
  new URL('../../charts/shopstack-operator/crds/shopdeployments.shopstack.io.yaml', import.meta.url),
);

export function crdYaml(): string {
  return `# Generated from operator/src/api by \`npm run generate -w @shopstack/operator\`; do not edit.\n${stringify(shopDeploymentCrd(), { lineWidth: 0 })}`;
}
