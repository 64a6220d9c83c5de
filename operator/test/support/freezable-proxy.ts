// A TCP proxy that can go silent: frozen connections stay open but carry no more bytes, as a
// connection does behind a dead NAT entry or a hung load balancer. New connections work normally,
// unless told to hang from the start (holdNewConnections).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class FreezableProxy {
  private constructor(
    private readonly server: Server,
    private readonly pairs: Set<[Socket, Socket]>,
    private readonly state: { hold: boolean },
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<FreezableProxy> {
    const pairs = new Set<[Socket, Socket]>();
    const state = { hold: false };
    const server = createServer((client) => {
      const upstream = createConnection(targetPort, targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      if (state.hold) {
        client.pause();
      } else {
        client.pipe(upstream);
        upstream.pipe(client);
      }
      const close = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FreezableProxy(server, pairs, state, (server.address() as { port: number }).port);
  }

  /** Connections opened from now on stay open but carry nothing, so their first request hangs. */
  holdNewConnections(): void {
    this.state.hold = true;
  }

  /** Connections open now (a client closing one, e.g. by aborting its request, removes it). */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** Every open connection stops carrying data in both directions, without being closed. */
  freeze(): number {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}
