// The users service as a real child process, for restart and crash tests, through the kit's
// spawnService (and spawnMain, which does not wait for it to start).
import { fileURLToPath } from 'node:url';
import { type SpawnedService, spawnMain, spawnService } from '@shopstack/kit/testing';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

export type UsersProcess = SpawnedService;

export const spawnUsers = (env: Record<string, string>) => spawnMain(serviceDir, env);

export const startUsersProcess = (env: Record<string, string>): Promise<UsersProcess> =>
  spawnService(serviceDir, env);
