// The OTLP → Zipkin bridge of the local platform (observability/src/zipkin), on the running bridge and
// Zipkin that `npm run infra -- up zipkin` starts: an OTLP/JSON export request as Jaeger's otlphttp
// exporter sends it goes in, and Zipkin's own query API gives the spans back with their parents, kinds,
// services, times, status and events. The checkout's whole trace in Zipkin's UI is in the e2e suite.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { infraEnv } from '../support/env.js';
import { eventually } from '../support/process.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const attribute = (key: string, value: Record<string, unknown>) => ({ key, value });

interface ZipkinSpan {
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string };
  tags?: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
}

describe('the OTLP → Zipkin bridge', () => {
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${infraEnv('ZIPKIN_BRIDGE_URL')}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
  const zipkinTrace = async (traceId: string): Promise<ZipkinSpan[]> => {
    const response = await fetch(`${infraEnv('ZIPKIN_URL')}/api/v2/trace/${traceId}`);
    return response.status === 404 ? [] : ((await response.json()) as ZipkinSpan[]);
  };

  it('hands an OTLP/JSON export to Zipkin: parents, kinds, services, microseconds, status and events', async () => {
    const traceId = hex(16);
    const [root, call, consume] = [hex(8), hex(8), hex(8)];
    const start = BigInt(Date.now()) * 1_000_000n + 123_456n; // nanoseconds, with sub-microsecond digits
    const at = (offsetNanos: bigint) => (start + offsetNanos).toString();
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [attribute('service.name', { stringValue: 'edge' })] },
          scopeSpans: [
            {
              scope: { name: 'envoy' },
              spans: [
                {
                  traceId,
                  spanId: root,
                  name: 'ingress',
                  kind: 2,
                  startTimeUnixNano: at(0n),
                  endTimeUnixNano: at(9_000_000n),
                  attributes: [attribute('http.status_code', { intValue: '201' })],
                },
              ],
            },
          ],
        },
        {
          resource: { attributes: [attribute('service.name', { stringValue: 'orders' })] },
          scopeSpans: [
            {
              scope: { name: '@shopstack/kit' },
              spans: [
                {
                  traceId,
                  spanId: call,
                  parentSpanId: root,
                  name: 'saga hold_funds',
                  kind: 3,
                  startTimeUnixNano: at(1_000_000n),
                  endTimeUnixNano: at(3_500_000n),
                  attributes: [attribute('retries', { arrayValue: { values: [{ intValue: '1' }] } })],
                  status: { code: 2, message: 'payments unavailable' },
                  events: [
                    {
                      timeUnixNano: at(2_000_000n),
                      name: 'breaker open',
                      attributes: [attribute('breaker', { stringValue: 'payments' })],
                    },
                  ],
                },
                {
                  traceId,
                  spanId: consume,
                  parentSpanId: call,
                  name: 'consume catalog.stock-reservation',
                  kind: 5,
                  startTimeUnixNano: at(4_000_000n),
                  endTimeUnixNano: at(4_000_000n),
                },
              ],
            },
          ],
        },
      ],
    };
    const reply = await post(JSON.stringify(request));
    assert.equal(reply.status, 200, await reply.clone().text());
    assert.deepEqual(await reply.json(), {});

    let spans: ZipkinSpan[] = [];
    await eventually(async () => {
      spans = await zipkinTrace(traceId);
      return spans.length === 3;
    }, 15_000);
    const byId = new Map(spans.map((s) => [s.id, s]));
    const startMicros = Number(start / 1000n);
    assert.deepEqual(
      [root, call, consume].map((id) => {
        const s = byId.get(id)!;
        return [
          s.localEndpoint.serviceName,
          s.name,
          s.kind,
          s.parentId,
          s.timestamp - startMicros,
          s.duration,
        ];
      }),
      [
        ['edge', 'ingress', 'SERVER', undefined, 0, 9000],
        ['orders', 'saga hold_funds', 'CLIENT', root, 1000, 2500],
        // A span shorter than a microsecond still has a duration (Zipkin reads 0 as unknown).
        ['orders', 'consume catalog.stock-reservation', 'CONSUMER', call, 4000, 1],
      ],
    );
    assert.deepEqual(byId.get(root)!.tags, { 'http.status_code': '201', 'otel.scope.name': 'envoy' });
    assert.deepEqual(byId.get(call)!.tags, {
      retries: '[1]',
      'otel.scope.name': '@shopstack/kit',
      'otel.status_code': 'ERROR',
      error: 'payments unavailable',
    });
    assert.deepEqual(byId.get(call)!.annotations, [
      { timestamp: startMicros + 2000, value: 'breaker open {"breaker":"payments"}' },
    ]);
  });

  it('refuses what is not an OTLP/JSON trace request, saying why', async () => {
    const garbage = await post('{"resourceSpans": [');
    assert.equal(garbage.status, 400);
    assert.match(((await garbage.json()) as { error: string }).error, /not an OTLP\/JSON trace request/);
    const protobuf = await post('\x0a\x00', 'application/x-protobuf');
    assert.equal(protobuf.status, 415);
    assert.match(((await protobuf.json()) as { error: string }).error, /OTLP\/JSON only/);
  });
});
