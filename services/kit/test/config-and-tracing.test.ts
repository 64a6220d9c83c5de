// Configuration validation, and trace context across a gRPC call (client → metadata → server).
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { loadDescriptorSet } from '@shopstack/proto';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { z } from 'zod';
import {
  baseConfigSchema,
  ConfigError,
  createGrpcClient,
  createGrpcServer,
  createLogger,
  createMetrics,
  envBoolean,
  extractTraceContext,
  injectTraceContext,
  loadConfig,
  SpanKind,
  setupTracing,
  tracer,
} from '../src/index.js';
import { testGrpcTransport } from '../src/testing/index.js';

describe('kit configuration', () => {
  const schema = baseConfigSchema.extend({ DATABASE_URL: z.string().min(1), FEATURE: envBoolean(false) });

  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x', HTTP_PORT: '8088', FEATURE: 'true' });
    assert.equal(config.HTTP_PORT, 8088);
    assert.equal(config.GRPC_PORT, 9090);
    assert.equal(config.OTEL_TRACES_EXPORTER, 'none');
    assert.equal(config.FEATURE, true);
  });

  it('names every missing or malformed variable', () => {
    assert.throws(
      () => loadConfig(schema, { HTTP_PORT: '99999', LOG_LEVEL: 'loud' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((p) => p.variable).sort(), [
          'DATABASE_URL',
          'HTTP_PORT',
          'LOG_LEVEL',
        ]);
        assert.equal(error.problems.find((p) => p.variable === 'DATABASE_URL')?.message, 'is required');
        return true;
      },
    );
  });
});

describe('kit trace propagation', () => {
  before(() => setupTracing({ service: 'kit-test', exporter: 'none' }));

  it('round-trips a W3C traceparent through a header map (HTTP, AMQP)', () => {
    const span = tracer().startSpan('outer', { kind: SpanKind.INTERNAL });
    const headers = context.with(trace.setSpan(context.active(), span), () => injectTraceContext());
    span.end();
    assert.match(headers.traceparent ?? '', new RegExp(`^00-${span.spanContext().traceId}-`));
    const extracted = trace.getSpanContext(extractTraceContext(headers));
    assert.equal(extracted?.traceId, span.spanContext().traceId);
  });

  it('continues the caller trace in a gRPC handler', async () => {
    let seenTraceId: string | undefined;
    const server = createGrpcServer({
      logger: createLogger({ service: 'kit-test', level: 'silent' }),
      metrics: createMetrics('kit-test'),
      descriptorSet: loadDescriptorSet(),
      transport: await testGrpcTransport('users'),
      services: [
        {
          // The lookups alone: what this stand-in implements.
          definition: {
            ...UsersServiceDefinition,
            methods: {
              getUser: UsersServiceDefinition.methods.getUser,
              getUsersByIds: UsersServiceDefinition.methods.getUsersByIds,
            },
          },
          implementation: {
            async getUser() {
              seenTraceId = trace.getActiveSpan()?.spanContext().traceId;
              return { user: undefined };
            },
            async getUsersByIds() {
              return { users: [] };
            },
          },
          callers: { getUser: ['orders'], getUsersByIds: ['orders'] },
        },
      ],
    });
    const port = await server.listen('127.0.0.1', 0);
    const { client, close, breaker } = createGrpcClient(UsersServiceDefinition, {
      address: `127.0.0.1:${port}`,
      downstream: 'self',
      metrics: createMetrics('kit-test-client'),
      transport: await testGrpcTransport('orders'),
    });
    try {
      const span = tracer().startSpan('checkout');
      await context.with(trace.setSpan(context.active(), span), () => client.getUser({ id: 'x' }));
      span.end();
      assert.equal(seenTraceId, span.spanContext().traceId);
    } finally {
      close();
      breaker.shutdown();
      await server.shutdown();
    }
  });
});
