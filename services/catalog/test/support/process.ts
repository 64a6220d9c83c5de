// The catalog as a child process, through the kit's spawnService.
import { fileURLToPath } from 'node:url';
import { type SpawnedService, spawnService } from '@shopstack/kit/testing';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

export type CatalogProcess = SpawnedService;

export function startCatalogProcess(env: Record<string, string>): Promise<CatalogProcess> {
  return spawnService(serviceDir, env);
}
