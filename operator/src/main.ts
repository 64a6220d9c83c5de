// Runs the operator: `npm run operator -w @shopstack/operator` (against $KUBECONFIG), or the image.
import { runOperator } from './operator.js';

runOperator().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
