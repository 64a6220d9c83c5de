// The web service's environment.
import { fileURLToPath } from 'node:url';
import { baseConfigSchema } from '@shopstack/kit';
import { z } from 'zod';

const optionalUrl = z
  .string()
  .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
  .optional()
  .or(z.literal('').transform(() => undefined));

export const webConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8088),
  /** The built app (`npm run build -w @shopstack/web`); in an image, copied next to the service. */
  WEB_ROOT: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
  /** Where the console links to; unset ones are shown as not configured. */
  GRAFANA_URL: optionalUrl,
  JAEGER_URL: optionalUrl,
  /** Zipkin's UI: the local platform's trace page (its Jaeger has no UI; see scripts/infra/zipkin.sh). */
  ZIPKIN_URL: optionalUrl,
  PROMETHEUS_URL: optionalUrl,
});

export type WebConfig = z.infer<typeof webConfigSchema>;
