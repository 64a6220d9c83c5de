// @shopstack/kit: the shared runtime. See README.md for a walk through.

export { API_KEY_SCOPES, type ApiKeyScope } from './auth/api-key-scopes.js';
export {
  type AuthenticatedUser,
  CLOCK_TOLERANCE_SECONDS,
  createJwtVerifier,
  type JwtVerifier,
  type JwtVerifierOptions,
} from './auth/jwt-verifier.js';
export { authenticate, requireApiKeyScope, requireAuth, requireRole } from './auth/middleware.js';
export {
  httpTokenDenialsSource,
  TOKEN_DENIALS_PATH,
  TokenDenial,
  TokenDenialList,
  TokenDenialsFeed,
  type TokenDenialsSource,
} from './auth/token-denials.js';
export {
  type BootedService,
  type BootKit,
  bootService,
  defineService,
  type KitConfig,
  type RetentionResult,
  runRetention,
  runService,
  type ServiceDeclaration,
  type ServiceParts,
} from './boot.js';
export {
  type BaseConfig,
  baseConfigSchema,
  ConfigError,
  envBoolean,
  loadConfig,
  messagingConfig,
  postgresConfig,
} from './config.js';
export { type MigrateOptions, migrationsTable, runMigrations } from './db/migrations.js';
export {
  createPgPool,
  type IsolationLevel,
  isUniqueViolation,
  PG_SERIALIZATION_FAILURE,
  PG_UNIQUE_VIOLATION,
  type Pool,
  type PoolClient,
  pgReadiness,
  type Queryable,
  withTransaction,
} from './db/pool.js';
export {
  kitRetentionRules,
  type PurgeOptions,
  purgeExpired,
  type RetentionRule,
} from './db/retention.js';
export {
  checkRetentionConfig,
  inboxRetentionProblem,
  type KitRetention,
  kitRetentionOf,
  outboxRetentionConfig,
  retentionConfig,
  retentionDays,
} from './db/retention-settings.js';
export { AppError, type AppErrorOptions, type ErrorKind, type FieldIssue, isAppError } from './errors.js';
export { type AccessPolicy, callerOf } from './grpc/access.js';
export { type Breaker, type BreakerOptions, createBreaker } from './grpc/breaker.js';
export {
  createGrpcClient,
  type GrpcClient,
  type GrpcClientHandle,
  type GrpcClientOptions,
} from './grpc/client.js';
export {
  createGrpcServer,
  type GrpcCallers,
  type GrpcServer,
  type GrpcServerOptions,
  type GrpcServiceRegistration,
} from './grpc/server.js';
export { failureStatuses, grpcStatusOf } from './grpc/status.js';
export {
  channelCredentialsOf,
  type GrpcTransport,
  grpcTransportOf,
  mtlsTransport,
  plaintextTransport,
  TLS_FILES,
} from './grpc/tls.js';
export { CLIENT_IP_HEADER, createHttpApp, type HttpAppOptions, type ReadinessCheck } from './http/app.js';
export { readJsonBody } from './http/body.js';
export { cursorParam, decodeCursor, encodeCursor } from './http/cursor.js';
export { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey } from './http/idempotency.js';
export { buildOpenApi, type OpenApiInfo } from './http/openapi.js';
export {
  httpStatusOf,
  internalProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type ProblemDocument,
  problemFromError,
} from './http/problem.js';
export {
  type HttpMethod,
  HttpRoutes,
  type RouteHandler,
  type RouteInput,
  type RouteResult,
  type RouteSpec,
} from './http/routes.js';
export type { StaticSite } from './http/static-site.js';
export {
  assertStoreSafe,
  bigintDigits,
  INT4_MAX,
  INT4_MIN,
  INT8_MAX,
  INT8_MIN,
  type InputLocation,
  isStoreSafeText,
  parseInput,
} from './http/validation.js';
export { createLogSink, type LogSink } from './log-sink.js';
export { createLogger, type Logger } from './logging.js';
export {
  type AtLeastOnceConsumerDeclaration,
  type ConsumerDeclaration,
  type ConsumerRuntime,
  type RunningConsumer,
  startConsumer,
} from './messaging/consumer.js';
export { countDeadLetters, type DeadLetterSummary, replayDeadLetters } from './messaging/dead-letters.js';
export { DeferredMarks } from './messaging/deferred-marks.js';
export {
  consumeWithInbox,
  type HandlerReply,
  type InboxConsumerOptions,
  type IncomingMessage,
} from './messaging/inbox.js';
export { enqueueOutbox, OUTBOX_CHANNEL, type OutgoingMessage } from './messaging/outbox.js';
export {
  type OutboxRecord,
  type OutboxSession,
  type OutboxStore,
  PostgresOutboxStore,
} from './messaging/outbox-store.js';
export {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  connectRabbit,
  deadLetterQueueOf,
  declareExchange,
  declareQueue,
  type QueueSpec,
  rabbitReadiness,
} from './messaging/rabbit.js';
export { OutboxRelay, type OutboxRelayOptions, registerOutboxBacklogMetric } from './messaging/relay.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
export { currentRequestId, runWithRequestId } from './request-context.js';
export { isSealed, type Sealed, Sealer, sealingKeySchema } from './sealing.js';
export { type RunningService, runMain, type ServiceParts as ListenerParts, startService } from './service.js';
export {
  extractTraceContext,
  injectTraceContext,
  inSpan,
  SpanKind,
  setupTracing,
  shutdownTracing,
  type TracingOptions,
  tracer,
} from './tracing.js';
export { periodicWorker, type Worker } from './worker.js';
