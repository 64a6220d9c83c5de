// The one way a service boots. A service declares what is its own — name, config schema, HTTP
// routes, gRPC services, readiness checks, consumers, background workers — and the kit does the
// rest the same way everywhere: tracing, logging, metrics, the token verifier, migrations and
// pools, the outbox relay, the order of start and of shutdown, SIGTERM.
//
// Start: tracing → logger, metrics → the service's setup (migrations, pools, clients) → consumers
// connect → HTTP and gRPC listen → outbox relay and workers start.
// Stop (startService's drain): not-ready → listeners drain → workers stop → consumers close →
// relay flushes → the service's resources close → pools close. Then runMain flushes traces.
import { loadDescriptorSet } from '@shopstack/proto';
import { retentionRequested } from '@shopstack/proto/messages';
import type { JWTVerifyGetKey } from 'jose';
import type { z } from 'zod';
import { createJwtVerifier } from './auth/jwt-verifier.js';
import {
  httpTokenDenialsSource,
  TOKEN_DENIALS_PATH,
  TokenDenialList,
  type TokenDenialsSource,
} from './auth/token-denials.js';
import { type BaseConfig, ConfigError, loadConfig } from './config.js';
import { runMigrations } from './db/migrations.js';
import { createPgPool, type Pool, pgReadiness } from './db/pool.js';
import { type PurgeOptions, purgeExpired, type RetentionRule } from './db/retention.js';
import { createGrpcServer, type GrpcServiceRegistration } from './grpc/server.js';
import { type GrpcTransport, grpcTransportOf } from './grpc/tls.js';
import { createHttpApp, type ReadinessCheck } from './http/app.js';
import { HttpRoutes } from './http/routes.js';
import type { StaticSite } from './http/static-site.js';
import { createLogSink } from './log-sink.js';
import { createLogger, type Logger } from './logging.js';
import {
  type AtLeastOnceConsumerDeclaration,
  type ConsumerDeclaration,
  type RunningConsumer,
  startConsumer,
} from './messaging/consumer.js';
import type { OutboxStore } from './messaging/outbox-store.js';
import { rabbitReadiness } from './messaging/rabbit.js';
import { OutboxRelay, outboxStoreOf, registerOutboxBacklogMetric } from './messaging/relay.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { type RunningService, runMain, startService } from './service.js';
import { setupTracing } from './tracing.js';
import { periodicWorker, type Worker } from './worker.js';

/** Variables the boot itself reads; AMQP_URL only when the service consumes or relays. */
export type KitConfig = BaseConfig & { AMQP_URL?: string };

/** What the kit hands a service's setup. */
export interface BootKit<Config> {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Runs the kit's and the service's migrations, then opens a pool; closed last, checked by /readyz. */
  postgres(options: { url: string; migrationsDir?: string; max?: number }): Promise<Pool>;
  /** Something the service opened (a client, a database) to close after workers and consumers stopped. */
  onClose(close: () => unknown): void;
  /** The HTTP listener's URL; known once the service listens (call it lazily). */
  httpUrl(): string;
  /**
   * This service's gRPC identity for its clients (`createGrpcClient({ transport })`) and its server:
   * mutual TLS from GRPC_TLS_DIR, or plaintext when GRPC_PLAINTEXT=true; neither is a config error.
   */
  grpcTransport(): GrpcTransport;
}

/** The service's own parts, returned by its setup. */
export interface ServiceParts<Exposed extends object> {
  /** Adds the service's HTTP routes (each function takes the service's route table). */
  routes: ((routes: HttpRoutes) => void)[];
  grpc?: GrpcServiceRegistration[];
  /** Checks besides the kit's own (PostgreSQL pools, RabbitMQ consumers). */
  readiness?: ReadinessCheck[];
  /** Through the inbox, or at least once where the handler is idempotent by itself. */
  consumers?: (ConsumerDeclaration | AtLeastOnceConsumerDeclaration)[];
  workers?: Worker[];
  /** Relay this database's outbox (kit_outbox in `pool`, or another store) to RabbitMQ (unless OUTBOX_RELAY=off). */
  outbox?: { pool?: Pool; store?: OutboxStore; pollIntervalMs?: number };
  /**
   * What to purge when the back office's schedule asks (a retention.requested event on EVENTS_EXCHANGE),
   * in bounded batches: these rules' rows (the kit's own tables, the service's expired ones), or, for a
   * service on another store, a run of its own that returns how much each of its rules deleted.
   */
  retention?:
    | { pool: Pool; rules: RetentionRule[]; batchSize?: number }
    | { run: () => Promise<RetentionResult> };
  /** Resolve token keys here instead of from JWKS_URL (the users service, which signs them). */
  tokenKeys?: JWTVerifyGetKey;
  /** Read revoked sessions and users here instead of from users' feed (the users service, which records them). */
  tokenDenials?: TokenDenialsSource;
  /** A single-page app's built files, served for GET paths no route answered. */
  site?: StaticSite;
  /** Handed back to the caller of bootService beside the running service (for tests and tools). */
  exposed: Exposed;
}

export interface ServiceDeclaration<Config extends KitConfig, Exposed extends object> {
  /** Lower case, used for logs, metrics, traces and connection names. */
  name: string;
  /** What the service is for, in the OpenAPI document. */
  description: string;
  configSchema: z.ZodType<Config>;
  setup(kit: BootKit<Config>): Promise<ServiceParts<Exposed>>;
}

export type BootedService<Exposed extends object> = RunningService &
  Exposed & { relay: OutboxRelay | undefined; consumers: RunningConsumer[] };

/** Identity, for type inference at the declaration site. */
export function defineService<Config extends KitConfig, Exposed extends object>(
  declaration: ServiceDeclaration<Config, Exposed>,
): ServiceDeclaration<Config, Exposed> {
  return declaration;
}

/** Boots a declared service from parsed config (tests: port 0, in-process). */
export async function bootService<Config extends KitConfig, Exposed extends object>(
  declaration: ServiceDeclaration<Config, Exposed>,
  config: Config,
  options: { logger?: Logger } = {},
): Promise<BootedService<Exposed>> {
  const { name } = declaration;
  setupTracing({
    service: name,
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  });
  const sink =
    config.LOG_SINK_URL && !options.logger ? createLogSink({ url: config.LOG_SINK_URL }) : undefined;
  const logger = options.logger ?? createLogger({ service: name, level: config.LOG_LEVEL, sink });
  const metrics = createMetrics(name);
  const pools: Pool[] = [];
  const resources: (() => unknown)[] = [];
  // Closers run in reverse: the sink's last flush comes after everything else has closed.
  if (sink) resources.push(() => sink.flush());
  let httpUrl: string | undefined;
  let transport: GrpcTransport | undefined;
  const grpcTransport = () => {
    transport ??= grpcTransportOf(config);
    return transport;
  };
  const kit: BootKit<Config> = {
    config,
    logger,
    metrics,
    async postgres({ url, migrationsDir, max }) {
      if (migrationsDir) await runMigrations({ databaseUrl: url, service: name, dir: migrationsDir, logger });
      const pool = createPgPool(url, { name, max });
      pools.push(pool);
      return pool;
    },
    onClose: (close) => void resources.push(close),
    httpUrl: () => {
      if (httpUrl === undefined) throw new Error(`${name}: httpUrl() called before the service listens`);
      return httpUrl;
    },
    grpcTransport,
  };

  const consumers: RunningConsumer[] = [];
  // Stop order (closers run in reverse): consumers, then resources, then pools.
  const closeAll = async () => {
    for (const close of [
      ...pools.map((pool) => () => pool.end()),
      ...resources,
      ...consumers.map((c) => () => c.close()),
    ].reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((error) => logger.warn({ err: error }, 'error while closing'));
    }
  };

  try {
    return await boot();
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function boot(): Promise<BootedService<Exposed>> {
    const parts = await declaration.setup(kit);
    const declared = [
      ...(parts.consumers ?? []),
      ...(parts.retention && config.AMQP_URL
        ? [retentionConsumer(name, config, parts.retention, logger)]
        : []),
    ];
    const amqpUrl = declared.length > 0 ? requireVariable(config.AMQP_URL, 'AMQP_URL') : '';
    for (const consumer of declared) {
      consumers.push(await startConsumer(consumer, { service: name, amqpUrl, logger, metrics }));
    }

    const keys = parts.tokenKeys ?? (config.JWKS_URL ? new URL(config.JWKS_URL) : undefined);
    const denials = keys ? new TokenDenialList(parts.tokenDenials ?? denialsFeed(config)) : undefined;
    const verifier = keys
      ? createJwtVerifier({
          ...(keys instanceof URL ? { jwksUrl: keys } : { keys }),
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          denials,
        })
      : undefined;
    const routes = new HttpRoutes({ verifier, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
    for (const add of parts.routes) add(routes);
    // A service without routes that take a token (the edge's rate limit service) needs no JWKS.
    if (!verifier && routes.registered.some((route) => route.spec.auth))
      requireVariable(undefined, 'JWKS_URL');

    const readiness: ReadinessCheck[] = [
      ...pools.map((pool) => pgReadiness(pool)),
      ...(consumers.length > 0 ? [rabbitReadiness(() => consumers.every((c) => c.isConnected()))] : []),
      ...(parts.readiness ?? []),
    ];
    let accepting = true;
    const http = createHttpApp({
      service: name,
      logger,
      metrics,
      routes,
      openApi: { title: `ShopStack ${name}`, version: '1.0.0', description: declaration.description },
      readiness,
      isAccepting: () => accepting,
      ...(parts.site ? { site: parts.site } : {}),
    });
    const grpc = parts.grpc?.length
      ? createGrpcServer({
          logger,
          metrics,
          descriptorSet: loadDescriptorSet(),
          services: parts.grpc,
          transport: grpcTransport(),
        })
      : undefined;

    const outboxStore = parts.outbox && outboxStoreOf(parts.outbox);
    if (outboxStore) registerOutboxBacklogMetric(metrics.registry, outboxStore);
    const relay =
      parts.outbox && config.OUTBOX_RELAY === 'on'
        ? new OutboxRelay({
            store: outboxStore,
            amqpUrl: requireVariable(config.AMQP_URL, 'AMQP_URL'),
            logger,
            pollIntervalMs: parts.outbox.pollIntervalMs,
          })
        : undefined;
    const workers = [
      ...(parts.workers ?? []),
      ...(denials
        ? [
            periodicWorker(
              'token deny list',
              config.TOKEN_DENIALS_POLL_MS,
              () => denials.refresh(),
              (error) =>
                logger.warn({ err: error }, 'token deny list refresh failed; keeping the last one read'),
            ),
          ]
        : []),
    ];

    const running = await startService({
      logger,
      host: config.HOST,
      httpPort: config.HTTP_PORT,
      http,
      grpcPort: config.GRPC_PORT,
      grpc,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
      onStopAccepting: () => {
        accepting = false;
      },
      // Run in reverse after the listeners drained: workers, relay, then everything else.
      closers: [closeAll, async () => relay?.stop(), ...workers.map((worker) => async () => worker.stop())],
    });
    httpUrl = running.httpUrl;
    relay?.start();
    for (const worker of workers) await worker.start();
    return Object.assign(running, parts.exposed, { relay, consumers });
  }
}

/** The process entry point of a declared service: config from the environment, stop on SIGTERM. */
export function runService<Config extends KitConfig, Exposed extends object>(
  declaration: ServiceDeclaration<Config, Exposed>,
): Promise<void> {
  return runMain(declaration.name, () => bootService(declaration, loadConfig(declaration.configSchema)));
}

/** users' feed of revoked sessions and users: TOKEN_DENIALS_URL, or beside the JWKS it publishes. */
function denialsFeed(config: KitConfig): TokenDenialsSource {
  const url =
    config.TOKEN_DENIALS_URL ?? new URL(TOKEN_DENIALS_PATH, requireVariable(config.JWKS_URL, 'JWKS_URL'));
  return httpTokenDenialsSource(url);
}

/** How many rows (documents) each rule deleted in one run. */
export type RetentionResult = Record<string, number>;

/**
 * The queue on which a service hears the back office's retention schedule. No inbox: a run deletes
 * what is past its age at the time it runs, so running it twice (a redelivery, the back office's relay
 * publishing a request again) deletes nothing more than running it once, and a service without
 * PostgreSQL (payments, on MongoDB) has nowhere to keep inbox ids. The request is acknowledged once
 * the run finished, so a run cut short by a crash is delivered again and finished by the next one.
 */
function retentionConsumer(
  service: string,
  config: KitConfig & { EVENTS_EXCHANGE?: string },
  retention: NonNullable<ServiceParts<object>['retention']>,
  logger: Logger,
): AtLeastOnceConsumerDeclaration {
  const exchange = config.EVENTS_EXCHANGE ?? 'shop.events';
  // One queue per service and exchange: the replicas of a service share it (one of them purges), while
  // a service on another exchange (another shop on the broker, a test's own) never takes its requests.
  const queue = `${service}.retention.${exchange}`;
  const run =
    'run' in retention
      ? retention.run
      : () => runRetention(retention.pool, retention.rules, { batchSize: retention.batchSize });
  return {
    name: queue,
    queue,
    bindings: [{ exchange, pattern: retentionRequested.type }],
    // One run at a time per replica; each run is bounded (batches × batch size per rule).
    prefetch: 1,
    handle: async (message) => {
      const { runId } = retentionRequested.parse(message.payload);
      try {
        logger.info({ runId, deleted: await run() }, 'retention run finished');
      } catch (error) {
        logger.error({ err: error, runId }, 'retention run failed');
        throw error;
      }
    },
  };
}

/** Runs every rule; returns how many rows each deleted. */
export async function runRetention(
  pool: Pool,
  rules: readonly RetentionRule[],
  options: PurgeOptions = {},
): Promise<RetentionResult> {
  const deleted: RetentionResult = {};
  for (const rule of rules) deleted[rule.name] = await purgeExpired(pool, rule, options);
  return deleted;
}

function requireVariable(value: string | undefined, variable: string): string {
  if (value === undefined || value === '') throw new ConfigError([{ variable, message: 'is required' }]);
  return value;
}
