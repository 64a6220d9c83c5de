// gRPC client to another service: a deadline on every call, retries only for methods the proto
// marks idempotent (idempotency_level), an opossum breaker per downstream, trace context in the
// metadata, and client metrics. Breaker-open calls fail fast with UNAVAILABLE. Over mutual TLS
// (tls.ts): the client presents its service's certificate and checks the server's.
import {
  type CallOptions,
  type Client,
  ClientError,
  type ClientMiddlewareCall,
  type CompatServiceDefinition,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
} from 'nice-grpc';
import { type DeadlineOptions, deadlineMiddleware } from 'nice-grpc-client-middleware-deadline';
import { type RetryOptions, retryMiddleware } from 'nice-grpc-client-middleware-retry';
import type { ServiceMetrics } from '../metrics.js';
import { injectTraceContext } from '../tracing.js';
import { type Breaker, type BreakerOptions, createBreaker } from './breaker.js';
import { refreshingTarget } from './resolver.js';
import { channelCredentialsOf, type GrpcTransport } from './tls.js';

export interface GrpcClientOptions {
  /**
   * `host:port` of the downstream, resolved by DNS again every few seconds (every address of a
   * headless Service), or a grpc-js target with a scheme (`ipv4:10.0.0.1:50051,10.0.0.2:50051`).
   */
  address: string;
  /** Name used in metrics and breaker state, e.g. `users`. */
  downstream: string;
  metrics: ServiceMetrics;
  /** The calling service's identity (the kit's `grpcTransport()`), or plaintext switched on explicitly. */
  transport: GrpcTransport;
  /** Per call, including retries. */
  deadlineMs?: number;
  /** Total attempts for idempotent calls. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  breaker?: BreakerOptions;
}

/** A client whose calls also accept `deadline` and retry options per call. */
export type GrpcClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions & RetryOptions>;

export interface GrpcClientHandle<D extends CompatServiceDefinition> {
  client: GrpcClient<D>;
  breaker: Breaker;
  close(): void;
}

export function createGrpcClient<D extends CompatServiceDefinition>(
  definition: D,
  options: GrpcClientOptions,
): GrpcClientHandle<D> {
  const channel = createChannel(
    refreshingTarget(options.address),
    channelCredentialsOf(options.transport),
    balancing,
  );
  const breaker = createBreaker(options.downstream, options.metrics, options.breaker);
  const deadlineMs = options.deadlineMs ?? 2_000;
  // nice-grpc wraps each middleware around the ones added before it, so read this bottom-up:
  // metrics → breaker → default deadline → deadline (covering all attempts) → retries → the wire.
  const client = createClientFactory()
    .use(retryMiddleware)
    .use(deadlineMiddleware)
    .use(defaultDeadline(deadlineMs))
    .use(guardWith(breaker))
    .use(observe(options))
    .create(definition, channel, {
      '*': {
        // The retry middleware counts retries after the first attempt.
        retryMaxAttempts: (options.maxAttempts ?? 3) - 1,
        retryBaseDelayMs: options.retryBaseDelayMs ?? 50,
        retryMaxDelayMs: 1_000,
        retryableStatuses: [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.RESOURCE_EXHAUSTED],
      },
    } as never);
  return { client: client as unknown as GrpcClient<D>, breaker, close: () => channel.close() };
}

/**
 * Calls go round-robin over every ready address the name resolves to (a headless Service lists each
 * pod), instead of grpc-js's default pick_first, which sends everything to one pod. The name is
 * resolved again every few seconds (./resolver.ts), so a pod that comes up gets its share, and at
 * once when a connection drops (a pod going away), at most every 5 s. (Servers closing connections
 * by age would also force re-resolution, but grpc-js clients failed calls across those GOAWAYs under
 * load here, so it is not set.)
 */
const balancing = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.dns_min_time_between_resolutions_ms': 5_000,
};

function observe({ downstream, metrics }: GrpcClientOptions) {
  return async function* <Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: CallOptions,
  ) {
    const metadata = Metadata(options.metadata);
    for (const [key, value] of Object.entries(injectTraceContext())) metadata.set(key, value);
    const method = call.method.path;
    const stop = metrics.grpcClientDuration.startTimer();
    let code = Status.OK;
    try {
      return yield* call.next(call.request, { ...options, metadata });
    } catch (error) {
      code = error instanceof ClientError ? error.code : Status.UNKNOWN;
      throw error;
    } finally {
      const labels = { downstream, method, code: Status[code] };
      metrics.grpcClientRequests.inc(labels);
      stop(labels);
    }
  };
}

/** Every call gets a deadline (covering its retries) unless the caller set a tighter one. */
function defaultDeadline(deadlineMs: number) {
  return async function* <Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: CallOptions & { deadline?: Date | number },
  ) {
    const deadline = options.deadline ?? new Date(Date.now() + deadlineMs);
    return yield* call.next(call.request, { ...options, deadline } as CallOptions);
  };
}

function guardWith(breaker: Breaker) {
  return async function* <Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: CallOptions,
  ) {
    if (call.responseStream || call.requestStream) return yield* call.next(call.request, options);
    try {
      return (await breaker.fire(async () => {
        const iterator = call.next(call.request, options);
        let step = await iterator.next();
        while (!step.done) step = await iterator.next();
        return step.value;
      })) as Response;
    } catch (error) {
      if (breaker.opened && !(error instanceof ClientError)) {
        throw new ClientError(call.method.path, Status.UNAVAILABLE, `circuit open for ${breaker.name}`);
      }
      throw error;
    }
  };
}
