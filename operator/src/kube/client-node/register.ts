// Registers hooks.ts before anything imports client-node. Call it first, then load the rest of the
// program with a dynamic import(): static imports are all resolved before any module body runs.
import { register } from 'node:module';

export function registerClientNodeHooks(): void {
  register('./hooks.js', import.meta.url);
}
