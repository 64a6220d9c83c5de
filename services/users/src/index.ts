// @shopstack/users: start the service in-process (tests, other tools) or through main.ts.
export { type UsersConfig, usersConfigSchema } from './config.js';
export { startUsersService, type UsersService, usersService } from './service.js';
