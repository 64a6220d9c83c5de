// Reads the addresses `npm run infra -- up` wrote to .infra/env, without overriding the environment.
import { existsSync, readFileSync } from 'node:fs';

export function loadInfraEnv(): void {
  const file = new URL('../../.infra/env', import.meta.url);
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]!] === undefined) process.env[match[1]!] = match[2];
  }
}
