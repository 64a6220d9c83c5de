// A real HTTP server standing in for a third party's webhook receiver. Each request is recorded with
// its raw body and headers; `respond` decides the status code (a test can make it fail, then recover).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Receiver {
  url(path: string): string;
  received: ReceivedWebhook[];
  on(path: string): ReceivedWebhook[];
  /** Status code for the next request to `path` (default 204). */
  respond: (path: string, nth: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: Receiver = {
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    respond: () => 204,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8') });
    response.statusCode = receiver.respond(path, receiver.on(path).length);
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return receiver;
}
