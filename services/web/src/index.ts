export { type WebConfig, webConfigSchema } from './config.js';
export { CONTENT_SECURITY_POLICY, startWebService, webService } from './service.js';
