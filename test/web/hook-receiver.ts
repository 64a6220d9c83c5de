// Where the console's webhook endpoint delivers in the browser suite: every request it got, as it got it.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookReceiver {
  url: string;
  hooks: { headers: IncomingHttpHeaders; body: string }[];
  close(): void;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const hooks: HookReceiver['hooks'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      hooks.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hooks,
    close: () => server.close(),
  };
}
