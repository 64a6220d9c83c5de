// The users service as a process: `npm start -w @shopstack/users` (or the repository's `npm start`).
import { runService } from '@shopstack/kit';
import { usersService } from './service.js';

await runService(usersService);
