// The orders service as a real process, for crash tests, through the kit's spawnService.
import { fileURLToPath } from 'node:url';
import { type SpawnedService, spawnService } from '@shopstack/kit/testing';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

export type OrdersProcess = SpawnedService;

export function spawnOrders(env: Record<string, string>): Promise<OrdersProcess> {
  return spawnService(serviceDir, env);
}
