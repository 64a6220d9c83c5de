// OpenTelemetry tracing. The provider is always installed so trace ids exist (for logs) and are
// propagated (W3C traceparent) over HTTP, gRPC metadata and AMQP headers; spans are exported only
// when OTEL_TRACES_EXPORTER says so. Installation is global and happens once per process.
import { type Context, context, propagation, type Span, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TracingOptions {
  service: string;
  exporter: 'none' | 'otlp' | 'console';
  otlpEndpoint?: string | undefined;
}

let provider: NodeTracerProvider | undefined;

export function setupTracing(options: TracingOptions): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = [];
  if (options.exporter === 'otlp') {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })));
  } else if (options.exporter === 'console') {
    spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  }
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    spanProcessors,
  });
  provider.register();
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

export const tracer = () => trace.getTracer('shopstack');

/** Writes the active trace context into a plain header map (HTTP, gRPC metadata, AMQP headers). */
export function injectTraceContext(carrier: Record<string, string> = {}, from: Context = context.active()) {
  propagation.inject(from, carrier);
  return carrier;
}

/** Reads a trace context from a header map; returns the context to run the work in. */
export function extractTraceContext(carrier: Record<string, unknown>): Context {
  const headers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(carrier)) {
    // gRPC metadata holds lists of values; the first one is the header's value.
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
    else if (Buffer.isBuffer(value)) headers[key.toLowerCase()] = value.toString();
  }
  return propagation.extract(context.active(), headers);
}

/** Runs `fn` inside a new span that is a child of `parent`, ending it however `fn` ends. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };
