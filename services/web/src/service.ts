// The web service: the storefront and console's built files (index.html and hashed assets) and
// /config.json, on the kit like every service (logs, metrics, traces, /readyz, graceful stop).
// It holds no state and calls no service: the browser app talks to the APIs through the edge.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { bootService, defineService, type Logger } from '@shopstack/kit';
import { addSiteRoutes } from './api/site-routes.js';
import { type WebConfig, webConfigSchema } from './config.js';

/** Tight by default: the app loads only its own scripts, styles and data: images (the 2FA QR code). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export const webService = defineService({
  name: 'web',
  description: 'The storefront and admin console (a single-page app) and its site configuration',
  configSchema: webConfigSchema,
  async setup({ config }) {
    const index = path.join(config.WEB_ROOT, 'index.html');
    return {
      routes: [(routes) => addSiteRoutes(routes, config)],
      site: {
        root: config.WEB_ROOT,
        apiPrefixes: ['/api/', '/.well-known/'],
        pageHeaders: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Referrer-Policy': 'same-origin' },
      },
      // Not ready without a built app: the edge sends no one to an empty page.
      readiness: [{ name: 'app', check: () => access(index) }],
      exposed: {},
    };
  },
});

export function startWebService(config: WebConfig, logger?: Logger) {
  return bootService(webService, config, { logger });
}
