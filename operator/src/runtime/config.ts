// The operator's settings, from the environment; a bad value names itself and stops the start.
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const Env = z.object({
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  METRICS_HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  /** Namespace of the leader Lease; in a pod, the pod's own namespace. */
  POD_NAMESPACE: z.string().min(1).default('default'),
  POD_NAME: z.string().min(1).optional(),
  LEASE_NAME: z.string().min(1).default('shopstack-operator'),
  /** Handle only shops labelled shopstack.io/shard=<SHARD>; unset: only shops without the label. */
  SHARD: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    .max(63)
    .optional(),
  LEASE_DURATION_SECONDS: seconds(15),
  RENEW_DEADLINE_SECONDS: seconds(10),
  RETRY_PERIOD_SECONDS: seconds(2),
  RELIST_SECONDS: seconds(600),
  WATCH_TIMEOUT_SECONDS: seconds(300),
  DASHBOARDS_DIR: z
    .string()
    .default(fileURLToPath(new URL('../../../observability/grafana/dashboards', import.meta.url))),
  RULES_DIR: z
    .string()
    .default(fileURLToPath(new URL('../../../observability/prometheus/rules', import.meta.url))),
});

export type OperatorConfig = z.infer<typeof Env> & { identity: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid operator configuration: ${z.prettifyError(parsed.error)}`);
  }
  const config = parsed.data;
  if (config.RENEW_DEADLINE_SECONDS >= config.LEASE_DURATION_SECONDS) {
    throw new Error('RENEW_DEADLINE_SECONDS must be shorter than LEASE_DURATION_SECONDS');
  }
  const identity = config.POD_NAME ?? `${hostname()}-${process.pid}`;
  return { ...config, identity };
}
