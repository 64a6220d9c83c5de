// Prints the local cluster's manifests, for `kubectl apply -f -` (see the README's "The shop in real
// pods"): `dependencies` (charts/ci/dependencies.yaml with the local images) or `shop` (the example
// ShopDeployment on the real node with the local images). Builds or finds the images first.
import { buildImages, dependencyManifests, LOCAL_SIZE, shopManifests } from './local-cluster.js';

const what = process.argv[2];
if (what !== 'dependencies' && what !== 'shop') {
  console.error('usage: npm run -s cluster-manifests -- dependencies|shop');
  process.exit(2);
}
const images = await buildImages();
const items = what === 'dependencies' ? dependencyManifests(images) : shopManifests(images, LOCAL_SIZE);
console.log(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2));
