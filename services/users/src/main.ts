// The users service as a process: `npm start -w @shopstack/users` (or the repository's `npm start`).
import { loadConfig, runMain } from '@shopstack/kit';
import { usersConfigSchema } from './config.js';
import { startUsersService } from './service.js';

await runMain('users', () => startUsersService(loadConfig(usersConfigSchema)));
