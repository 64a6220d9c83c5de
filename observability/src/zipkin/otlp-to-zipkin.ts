// OTLP/JSON trace export requests (what Jaeger's otlphttp exporter sends with `encoding: json`) turned
// into Zipkin v2 spans (what Zipkin's /api/v2/spans collector takes), the mapping OpenTelemetry's
// Zipkin exporters use: kind, microsecond timestamps, the resource's service.name as the local
// endpoint, attributes as string tags, the status as otel.status_code / error, events as annotations.
// Pure, so it is tested without a server; bridge.ts serves it.

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
};
type KeyValue = { key: string; value?: AnyValue };

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number | string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  events?: { timeUnixNano: string | number; name: string; attributes?: KeyValue[] }[];
  status?: { code?: number | string; message?: string };
}

export interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string };
  tags: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
}

// OTLP's SpanKind, by number (protobuf JSON) or by name (some encoders write enum names).
const KINDS: Record<string, ZipkinSpan['kind']> = {
  '2': 'SERVER',
  '3': 'CLIENT',
  '4': 'PRODUCER',
  '5': 'CONSUMER',
  SPAN_KIND_SERVER: 'SERVER',
  SPAN_KIND_CLIENT: 'CLIENT',
  SPAN_KIND_PRODUCER: 'PRODUCER',
  SPAN_KIND_CONSUMER: 'CONSUMER',
};
const ERROR_STATUS = new Set(['2', 'STATUS_CODE_ERROR']);
const OK_STATUS = new Set(['1', 'STATUS_CODE_OK']);

function plain(value: AnyValue | undefined): unknown {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.kvlistValue) return Object.fromEntries((value.kvlistValue.values ?? []).map(entry));
  return value.bytesValue ?? '';
}
const entry = (kv: KeyValue): [string, unknown] => [kv.key, plain(kv.value)];
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
// Nanoseconds arrive as decimal strings (64-bit); BigInt keeps them exact before the division.
const micros = (nanos: string | number) => Number(BigInt(nanos) / 1000n);

export function toZipkin(request: OtlpTraceRequest): ZipkinSpan[] {
  const out: ZipkinSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = Object.fromEntries((resourceSpans.resource?.attributes ?? []).map(entry));
    const serviceName = text(resource['service.name'] ?? 'unknown_service');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const tags: Record<string, string> = {};
        for (const [key, value] of (span.attributes ?? []).map(entry)) tags[key] = text(value);
        if (scopeSpans.scope?.name) tags['otel.scope.name'] = scopeSpans.scope.name;
        const status = String(span.status?.code ?? '');
        if (ERROR_STATUS.has(status)) {
          tags['otel.status_code'] = 'ERROR';
          tags.error = span.status?.message ?? '';
        } else if (OK_STATUS.has(status)) {
          tags['otel.status_code'] = 'OK';
        }
        const timestamp = micros(span.startTimeUnixNano);
        const zipkin: ZipkinSpan = {
          traceId: span.traceId,
          id: span.spanId,
          name: span.name,
          timestamp,
          // Zipkin reads a zero duration as "unknown"; a span shorter than 1 µs still took time.
          duration: Math.max(1, micros(span.endTimeUnixNano) - timestamp),
          localEndpoint: { serviceName },
          tags,
        };
        if (span.parentSpanId) zipkin.parentId = span.parentSpanId;
        const kind = KINDS[String(span.kind ?? '')];
        if (kind) zipkin.kind = kind;
        if (span.events?.length) {
          zipkin.annotations = span.events.map((event) => {
            const attributes = Object.fromEntries((event.attributes ?? []).map(entry));
            const suffix = Object.keys(attributes).length ? ` ${JSON.stringify(attributes)}` : '';
            return { timestamp: micros(event.timeUnixNano), value: `${event.name}${suffix}` };
          });
        }
        out.push(zipkin);
      }
    }
  }
  return out;
}
