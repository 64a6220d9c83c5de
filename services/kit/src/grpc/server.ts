// nice-grpc server with grpc.health.v1, server reflection (so `grpcurl list` works), trace context
// from metadata, metrics, and AppError → status mapping (unexpected errors become INTERNAL, logged).
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
import { failureStatuses, grpcStatusOf } from './status.js';

export interface GrpcServiceRegistration {
  // biome-ignore lint/suspicious/noExplicitAny: nice-grpc's definitions are generic over every method shape
  definition: any;
  // biome-ignore lint/suspicious/noExplicitAny: implementation matches its definition, checked at the call site
  implementation: any;
}

export interface GrpcServerOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** FileDescriptorSet for reflection (`loadDescriptorSet()` from @shopstack/proto). */
  descriptorSet: Uint8Array;
  services: GrpcServiceRegistration[];
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
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(
    ServerReflectionService,
    ServerReflection(options.descriptorSet, [...names, 'grpc.health.v1.Health']),
  );
  return {
    server,
    health,
    listen: (host, port) => server.listen(`${host}:${port}`),
    async shutdown() {
      for (const name of names) health.setStatus('unhealthy', name);
      health.setStatus('unhealthy');
      await server.shutdown();
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
