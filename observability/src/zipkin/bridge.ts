// The local platform's OTLP → Zipkin bridge: Jaeger forwards every span it receives here (its
// otlphttp exporter, JSON encoding), and the bridge hands them to Zipkin's HTTP collector, so Zipkin's
// UI shows the same traces Jaeger stores. Jaeger's module carries no UI page and Zipkin takes no OTLP,
// which is why this exists; see scripts/infra/zipkin.sh. Loopback only, started by that script.
import { createServer } from 'node:http';
import { type OtlpTraceRequest, toZipkin } from './otlp-to-zipkin.js';

const port = Number(process.env.ZIPKIN_BRIDGE_PORT ?? 9412);
const zipkinUrl = process.env.ZIPKIN_URL ?? 'http://127.0.0.1:9411';

const server = createServer(async (req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/healthz') return reply(200, { ok: true });
  if (req.method !== 'POST' || req.url !== '/v1/traces') return reply(404, { error: 'POST /v1/traces only' });
  if (!req.headers['content-type']?.startsWith('application/json')) {
    // Jaeger's exporter must be set to `encoding: json`; protobuf is not decoded here.
    return reply(415, { error: 'OTLP/JSON only (application/json)' });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let spans: ReturnType<typeof toZipkin>;
  try {
    spans = toZipkin(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest);
  } catch (error) {
    return reply(400, { error: `not an OTLP/JSON trace request: ${(error as Error).message}` });
  }
  if (spans.length === 0) return reply(200, {});
  try {
    const sent = await fetch(`${zipkinUrl}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spans),
      signal: AbortSignal.timeout(10_000),
    });
    if (!sent.ok) return reply(502, { error: `zipkin answered ${sent.status}: ${await sent.text()}` });
  } catch (error) {
    return reply(503, { error: `zipkin unreachable: ${(error as Error).message}` });
  }
  // An empty ExportTraceServiceResponse: everything was accepted.
  reply(200, {});
});

server.listen(port, '127.0.0.1', () =>
  console.log(`otlp → zipkin bridge on 127.0.0.1:${port} → ${zipkinUrl}`),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
