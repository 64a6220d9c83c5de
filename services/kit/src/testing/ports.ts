import { readFileSync } from 'node:fs';
import net from 'node:net';

// A port from listen(0) is in the kernel's ephemeral range, which it also hands out as the local port
// of outgoing connections: between our check and the real server's bind (Envoy started a moment
// later), any connection on the machine may take it ("cannot bind: Address already in use", seen in
// CI). So ports are picked below that range, where only listeners go, and checked free.
const LOWEST = 12_000;
/** Fixed ports of the local infrastructure in that span (RabbitMQ's management and distribution
 * ports, Jaeger's UI, MongoDB's wire port): free while their server restarts, never to be handed out. */
const RESERVED = new Set([15_672, 16_686, 25_672, 27_017]);

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1_000 ? low : 32_768;
  } catch {
    return 32_768; // not Linux: Linux's default
  }
}

const HIGHEST = ephemeralLow() - 1;

function listenable(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port outside the ephemeral range, for servers that cannot be told to use port 0. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (!RESERVED.has(port) && (await listenable(port))) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST}`);
}
