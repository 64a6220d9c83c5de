// /config.json: what the browser app needs to know about this shop that is not in any API (the
// addresses of its dashboards, traces and metrics, for the console's links).
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { WebConfig } from '../config.js';

export const siteConfigSchema = z.object({
  links: z.object({
    grafana: z.string().optional(),
    jaeger: z.string().optional(),
    prometheus: z.string().optional(),
    zipkin: z.string().optional(),
  }),
});

export function addSiteRoutes(routes: HttpRoutes, config: WebConfig): void {
  const body = siteConfigSchema.parse({
    links: {
      grafana: config.GRAFANA_URL,
      jaeger: config.JAEGER_URL,
      prometheus: config.PROMETHEUS_URL,
      zipkin: config.ZIPKIN_URL,
    },
  });
  routes.get(
    '/config.json',
    {
      summary: "The shop's links for the console (Grafana, Jaeger, Prometheus, Zipkin)",
      tags: ['site'],
      responses: { 200: { description: 'Links; an unset one is absent', schema: siteConfigSchema } },
    },
    async () => ({ body, headers: { 'Cache-Control': 'no-cache' } }),
  );
}
