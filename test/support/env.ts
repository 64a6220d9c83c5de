/** Reads a variable that `npm run infra -- up` provides, failing with a message that says what to run. */
export function infraEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`npm run infra -- up\` first (it writes .infra/env, which mocha loads)`,
    );
  }
  return value;
}

/** A short random suffix so that suites never share databases, queues or namespaces. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
