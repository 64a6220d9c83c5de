// Prometheus metrics: Node's default process metrics plus request rate, errors and duration for
// HTTP and gRPC (served and called), the state of every circuit breaker, and the messages consumers
// dead-letter. One registry per
// service instance, so several services can run in one test process without clashing.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpErrors: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  grpcServerRequests: Counter<'method' | 'code'>;
  grpcServerErrors: Counter<'method' | 'code'>;
  grpcServerDuration: Histogram<'method' | 'code'>;
  grpcClientRequests: Counter<'downstream' | 'method' | 'code'>;
  grpcClientDuration: Histogram<'downstream' | 'method' | 'code'>;
  /** 0 = closed, 1 = half-open, 2 = open. */
  breakerState: Gauge<'downstream'>;
  /** Messages a consumer sent to `<queue>.dead` (the alert ShopStackMessagesDeadLettered reads it). */
  deadLettered: Counter<'queue' | 'reason'>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_server_requests_total',
      help: 'HTTP requests served',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpErrors: new Counter({
      name: 'http_server_errors_total',
      help: 'HTTP requests answered with a 5xx status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: durationBuckets,
      registers,
    }),
    grpcServerRequests: new Counter({
      name: 'grpc_server_requests_total',
      help: 'gRPC calls served',
      labelNames: ['method', 'code'],
      registers,
    }),
    grpcServerErrors: new Counter({
      name: 'grpc_server_errors_total',
      help: 'gRPC calls served that ended with a server-side error status',
      labelNames: ['method', 'code'],
      registers,
    }),
    grpcServerDuration: new Histogram({
      name: 'grpc_server_request_duration_seconds',
      help: 'gRPC call duration (server side)',
      labelNames: ['method', 'code'],
      buckets: durationBuckets,
      registers,
    }),
    grpcClientRequests: new Counter({
      name: 'grpc_client_requests_total',
      help: 'gRPC calls made to other services',
      labelNames: ['downstream', 'method', 'code'],
      registers,
    }),
    grpcClientDuration: new Histogram({
      name: 'grpc_client_request_duration_seconds',
      help: 'gRPC call duration (client side, including retries)',
      labelNames: ['downstream', 'method', 'code'],
      buckets: durationBuckets,
      registers,
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker per downstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['downstream'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'messaging_dead_lettered_total',
      help: 'Messages a consumer dead-lettered, by queue and reason (missing_message_id, unreadable, handler_failed)',
      labelNames: ['queue', 'reason'],
      registers,
    }),
  };
}
