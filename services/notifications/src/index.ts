// @shopstack/notifications: start the service in-process (tests, other tools) or through main.ts.
export { type NotificationsConfig, notificationsConfigSchema } from './config.js';
export { type NotificationsService, startNotificationsService } from './service.js';
