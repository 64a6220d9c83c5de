// Starting and stopping a service: HTTP and gRPC listeners plus whatever it must close. The same
// function serves tests (in-process, port 0) and main.ts (a process that stops on SIGTERM).
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type Koa from 'koa';
import { ConfigError } from './config.js';
import type { GrpcServer } from './grpc/server.js';
import { PROBLEM_TYPE_BASE } from './http/problem.js';
import type { Logger } from './logging.js';
import { shutdownTracing } from './tracing.js';

export interface ServiceParts {
  logger: Logger;
  host: string;
  httpPort: number;
  http: Koa;
  grpcPort?: number;
  grpc?: GrpcServer;
  /** Called after the listeners stopped, in reverse order of registration (pools last). */
  closers?: (() => Promise<void>)[];
  /** Flip the service to not-ready (readyz 503) before draining. */
  onStopAccepting?: () => void;
  /**
   * Grace period after not-ready: the listeners stay open and serve in-flight and new requests
   * while the edge and the endpoints drop this instance, then they close. 0 (tests) closes at once.
   */
  drainDelayMs?: number;
  /** After the listeners closed, how long requests in flight may take before their sockets are cut. */
  shutdownTimeoutMs?: number;
}

export interface RunningService {
  httpUrl: string;
  /** `host:port`, when the service serves gRPC. */
  grpcAddress: string | undefined;
  close(): Promise<void>;
}

export async function startService(parts: ServiceParts): Promise<RunningService> {
  const httpServer = await listenHttp(parts.http, parts.host, parts.httpPort);
  const httpPort = (httpServer.address() as AddressInfo).port;
  let grpcAddress: string | undefined;
  if (parts.grpc) {
    const grpcPort = await parts.grpc.listen(parts.host, parts.grpcPort ?? 0);
    grpcAddress = `${parts.host}:${grpcPort}`;
  }
  parts.logger.info({ httpPort, grpcAddress }, 'service started');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= drainAndClose(parts, httpServer);
    return closing;
  };
  return { httpUrl: `http://${parts.host}:${httpPort}`, grpcAddress, close };
}

async function drainAndClose(parts: ServiceParts, httpServer: Server): Promise<void> {
  parts.onStopAccepting?.();
  if (parts.drainDelayMs) {
    // Closing the listener now would refuse the requests the edge still sends until its health
    // checks see the 503 on /readyz: keep serving through the grace period instead.
    parts.logger.info({ drainDelayMs: parts.drainDelayMs }, 'not ready; serving until the grace period ends');
    await new Promise((resolve) => setTimeout(resolve, parts.drainDelayMs));
  }
  // Stop accepting, let requests in flight finish; idle keep-alive sockets are closed at once.
  const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  httpServer.closeIdleConnections();
  const timeout = setTimeout(() => httpServer.closeAllConnections(), parts.shutdownTimeoutMs ?? 15_000);
  await Promise.all([httpClosed, parts.grpc?.shutdown()]);
  clearTimeout(timeout);
  for (const closer of [...(parts.closers ?? [])].reverse()) {
    try {
      await closer();
    } catch (error) {
      parts.logger.warn({ err: error }, 'error while closing');
    }
  }
  parts.logger.info('service stopped');
}

// Request headers up to what the edge lets through (Envoy's default max_request_headers_kb is 60), so a
// long query string that the edge passes reaches the route and gets its 400 naming the field, instead of
// Node's own limit of 16 KiB cutting it off first.
const MAX_HEADER_BYTES = 60 * 1024;

/**
 * Requests Node refuses before any route sees them (headers past the limit, malformed HTTP) still get a
 * problem+json answer like every other refusal, where Node would write a bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}${tooLarge ? 'request-headers-too-large' : 'malformed-request'}`,
    title: tooLarge ? 'Request header fields too large' : 'Malformed request',
    status,
    detail: tooLarge
      ? `the request line and headers exceed ${MAX_HEADER_BYTES} bytes`
      : 'not a valid HTTP request',
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function listenHttp(app: Koa, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app.callback());
    server.on('clientError', answerClientError);
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * Entry point of a service process: starts it, stops it gracefully on SIGTERM / SIGINT, and turns
 * a configuration error into a readable message and exit code 1.
 */
export async function runMain(name: string, start: () => Promise<RunningService>): Promise<void> {
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) {
        process.stderr.write(`${name}: configuration error: ${problem.variable} ${problem.message}\n`);
      }
    } else {
      process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? error}\n`);
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, draining\n`);
    try {
      await service.close();
      await shutdownTracing();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`${name}: shutdown failed: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
