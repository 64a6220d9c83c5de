// nice-grpc server with grpc.health.v1, server reflection (so `grpcurl list` works), trace context
// from metadata, metrics, and AppError → status mapping (unexpected errors become INTERNAL, logged).
// It listens with mutual TLS (tls.ts) and lets each method be called only by the services its
// registration names (access.ts); health and reflection answer any service of the CA.
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  type CallContext,
  createServer,
  type Server,
  ServerError,
  type ServerMiddlewareCall,
  Status,
} from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { isAppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { extractTraceContext, SpanKind, tracer } from '../tracing.js';
import type { AccessPolicy } from './access.js';
import { failureStatuses, grpcStatusOf } from './status.js';
import { certificatesLoaded, type GrpcTransport, serverCredentialsOf } from './tls.js';

export interface GrpcServiceRegistration {
  // biome-ignore lint/suspicious/noExplicitAny: nice-grpc's definitions are generic over every method shape
  definition: any;
  // biome-ignore lint/suspicious/noExplicitAny: implementation matches its definition, checked at the call site
  implementation: any;
  /**
   * Per method of the definition (its name there, e.g. `captureHold`): the services that may call it.
   * Every method must be listed; a call from any other service gets PERMISSION_DENIED.
   */
  callers: Readonly<Record<string, readonly string[]>>;
}

/** Per method of a service definition, the services that may call it; declared beside the handlers. */
export type GrpcCallers<D extends { methods: object }> = {
  readonly [M in keyof D['methods']]: readonly string[];
};

export interface GrpcServerOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** FileDescriptorSet for reflection (`loadDescriptorSet()` from @shopstack/proto). */
  descriptorSet: Uint8Array;
  services: GrpcServiceRegistration[];
  /** Mutual TLS (the default a service boots with) or plaintext, switched on explicitly. */
  transport: GrpcTransport;
}

export interface GrpcServer {
  server: Server;
  health: HealthState;
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls and waits for the ones in flight. */
  shutdown(): Promise<void>;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const health = HealthState();
  const server = createServer().use(observe(options)).use(mapErrors(options.logger));
  const names: string[] = [];
  for (const { definition, implementation } of options.services) {
    server.add(definition, implementation);
    names.push(definition.fullName as string);
    health.setStatus('healthy', definition.fullName as string);
  }
  health.setStatus('healthy');
  const policy = accessPolicy(options);
  if (options.transport.mode === 'plaintext')
    options.logger.warn(
      'gRPC is plaintext (GRPC_PLAINTEXT=true): callers are neither authenticated nor checked',
    );
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(
    ServerReflectionService,
    ServerReflection(options.descriptorSet, [...names, 'grpc.health.v1.Health']),
  );
  return {
    server,
    health,
    async listen(host, port) {
      await certificatesLoaded(options.transport);
      return server.listen(`${host}:${port}`, serverCredentialsOf(options.transport, policy));
    },
    async shutdown() {
      for (const name of names) health.setStatus('unhealthy', name);
      health.setStatus('unhealthy');
      await server.shutdown();
    },
  };
}

/** The callers table of every registration, by method path; a method left out is a programming error. */
function accessPolicy({ services, logger, metrics }: GrpcServerOptions): AccessPolicy {
  const byPath = new Map<string, readonly string[]>();
  for (const { definition, callers } of services) {
    // ts-proto's definitions name each method; its path is /<package.Service>/<Method> (as nice-grpc builds it).
    const methods = definition.methods as Record<string, { name: string }>;
    const missing = Object.keys(methods).filter((name) => !callers?.[name]);
    const unknown = Object.keys(callers ?? {}).filter((name) => !(name in methods));
    if (missing.length > 0 || unknown.length > 0)
      throw new Error(
        `${definition.fullName}: callers must list every method (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`,
      );
    for (const [name, method] of Object.entries(methods))
      byPath.set(`/${definition.fullName}/${method.name}`, callers[name] ?? []);
  }
  return {
    callersOf: (path) => byPath.get(path),
    onDenied(caller, path) {
      metrics.grpcServerRequests.inc({ method: path, code: Status[Status.PERMISSION_DENIED] });
      logger.warn({ caller: caller ?? null, method: path }, 'gRPC call refused: caller not allowed');
    },
  };
}

function observe({ metrics }: GrpcServerOptions) {
  return async function* <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    callContext: CallContext,
  ) {
    const method = call.method.path;
    const stop = metrics.grpcServerDuration.startTimer();
    const parent = extractTraceContext(Object.fromEntries(callContext.metadata));
    const span = tracer().startSpan(`gRPC ${method}`, { kind: SpanKind.SERVER }, parent);
    const spanContext = trace.setSpan(parent, span);
    let code = Status.OK;
    try {
      if (call.responseStream) return yield* call.next(call.request, callContext);
      // Unary: run the handler inside the span's context so its logs and outgoing calls join the trace.
      return await context.with(spanContext, () => drain(call.next(call.request, callContext)));
    } catch (error) {
      code = error instanceof ServerError ? error.code : Status.UNKNOWN;
      span.setStatus({ code: SpanStatusCode.ERROR, message: Status[code] });
      throw error;
    } finally {
      span.end();
      const labels = { method, code: Status[code] };
      metrics.grpcServerRequests.inc(labels);
      if (failureStatuses.has(code)) metrics.grpcServerErrors.inc(labels);
      stop(labels);
    }
  };
}

/** Runs a unary call's generator to its end and returns its result. */
async function drain<T>(iterator: AsyncGenerator<unknown, T, undefined>): Promise<T> {
  let step = await iterator.next();
  while (!step.done) step = await iterator.next();
  return step.value;
}

function mapErrors(logger: Logger) {
  return async function* <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      if (isAppError(error)) throw new ServerError(grpcStatusOf[error.kind], error.detail);
      // The caller gave up (deadline, cancel): nothing went wrong here worth an error log.
      if ((error as Error)?.name === 'AbortError') throw error;
      if (context.signal.aborted) throw new ServerError(Status.CANCELLED, 'cancelled by the caller');
      logger.error({ err: error, method: call.method.path }, 'unhandled gRPC error');
      throw new ServerError(Status.INTERNAL, 'internal error');
    }
  };
}
