// Runs the operator: `npm run operator -w @shopstack/operator` (against $KUBECONFIG), or the image.
// client-node's hooks come first, and the operator after them by a dynamic import: a static one would
// resolve all of client-node before any code here ran (client-node/hooks.ts says why).
import { registerClientNodeHooks } from './kube/client-node/register.js';

registerClientNodeHooks();
const { runOperator } = await import('./operator.js');
runOperator().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
