// Configuration comes from the environment and is validated once, at start. A missing or malformed
// variable is reported by name and the process exits, instead of failing later at first use.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const port = z.coerce.number().int().min(0).max(65535);

/** Variables every service reads. Extend it: `baseConfigSchema.extend({ PG_URL: z.string().url() })`. */
export const baseConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(8080),
  GRPC_PORT: port.default(9090),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where warnings and errors are also shipped (the back office's /internal/log-events); unset: stdout only. */
  LOG_SINK_URL: z.url().optional(),
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Not-ready but still serving for this long after SIGTERM; the platform sets it (0: close at once). */
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(300_000).default(0),
  /** `none` (default) keeps tracing local: ids in logs and propagated headers, nothing exported. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** Who signs the access tokens every service verifies, and for whom. */
  JWT_ISSUER: z.string().min(1).default('shopstack-users'),
  JWT_AUDIENCE: z.string().min(1).default('shopstack'),
  /** Where the users service publishes its signing keys; required unless a service resolves its own keys. */
  JWKS_URL: z.url().optional(),
  /** The users service's feed of revoked sessions and users; defaults to JWKS_URL's origin + /internal/token-denials. */
  TOKEN_DENIALS_URL: z.url().optional(),
  /** How often the deny list is refreshed: a blocked user's tokens stop working within about this long. */
  TOKEN_DENIALS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /**
   * This service's gRPC identity (grpc/tls.ts): a directory with ca.crt, tls.crt and tls.key, read
   * again every GRPC_TLS_REFRESH_MS so a rotated certificate is picked up without a restart.
   */
  GRPC_TLS_DIR: z.string().min(1).optional(),
  GRPC_TLS_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Plain, unauthenticated gRPC without caller checks: only when switched on explicitly. */
  GRPC_PLAINTEXT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** Run the outbox relay in this process (one is active per database in any case). */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Variables of a service with its own PostgreSQL database: `baseConfigSchema.extend({ ...postgresConfig })`. */
export const postgresConfig = {
  DATABASE_URL: z.string().startsWith('postgres'),
};

/** Variables of a service on RabbitMQ: the broker and the two topic exchanges every service shares. */
export const messagingConfig = {
  AMQP_URL: z.string().startsWith('amqp'),
  /** Topic exchange of integration events (`user.registered`, `order.placed`, ...). */
  EVENTS_EXCHANGE: z.string().min(1).default('shop.events'),
  /** Topic exchange of saga commands and their replies. */
  COMMANDS_EXCHANGE: z.string().min(1).default('shop.commands'),
};

/** Parses `env` with `schema`; throws ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(root)');
      // zod leaves the input out of its issues, so "missing" is whether the environment has it.
      const missing = issue.code === 'invalid_type' && env[variable] === undefined;
      return { variable, message: missing ? 'is required' : issue.message };
    }),
  );
}

/** `"true"`/`"1"` → true, `"false"`/`"0"`/absent → the default. */
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'));
