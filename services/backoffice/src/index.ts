// @shopstack/backoffice: start the service in-process (tests, tools) or through main.ts.
export { type BackofficeConfig, backofficeConfigSchema } from './config.js';
export { type BackofficeService, startBackofficeService } from './service.js';
