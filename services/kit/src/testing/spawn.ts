// A service as a real child process (its src/main.ts through tsx), the way Kubernetes runs it: for
// tests that send it SIGTERM, SIGKILL it like a node that dies, or check how it refuses bad config.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testIdentityDir } from './pki.js';
import { waitFor } from './wait.js';

export interface SpawnedMain {
  child: ChildProcess;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** The folder of a service of this repository by name (`services/<name>`), for spawnService. */
export function serviceDir(name: string): string {
  return fileURLToPath(new URL(`../../../${name}`, import.meta.url));
}

/** Output kept per process: the tail, so a long run does not grow without bound. */
const OUTPUT_LIMIT = 200_000;

/**
 * Starts `<serviceDir>/src/main.ts` with `env` over this process's environment; does not wait.
 * SERVICE_LOGS=orders,payments (service folder names) also streams those processes' output to stderr.
 */
export function spawnMain(serviceDir: string, env: Record<string, string>): SpawnedMain {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions', 'shopstack-source', join(serviceDir, 'src/main.ts')],
    {
      cwd: serviceDir,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const echo = process.env.SERVICE_LOGS?.split(',').includes(basename(serviceDir));
  const onData = (chunk: Buffer) => {
    output += chunk;
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT / 2);
    if (echo) process.stderr.write(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

export interface SpawnedService extends SpawnedMain {
  httpUrl: string;
  /** `host:port` of its gRPC server ('' for a service without one). */
  grpcAddress: string;
  /** Sends the signal (SIGTERM: a graceful drain) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  kill(): Promise<void>;
}

/**
 * Starts the service on free ports (unless `env` names them) and waits for its "service started" log
 * line. It gets its identity from the test CA (named after its folder) unless `env` sets GRPC_TLS_DIR
 * or GRPC_PLAINTEXT.
 */
export async function spawnService(serviceDir: string, env: Record<string, string>): Promise<SpawnedService> {
  const identity: Record<string, string> =
    env.GRPC_TLS_DIR || env.GRPC_PLAINTEXT
      ? {}
      : { GRPC_TLS_DIR: await testIdentityDir(basename(serviceDir)) };
  // LOG_LEVEL info whatever `env` says: the "service started" line is how it tells where it listens.
  const spawned = spawnMain(serviceDir, {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    ...identity,
    ...env,
    LOG_LEVEL: 'info',
  });
  const { child, exited, output } = spawned;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // Read from stdout as it comes (not from the kept tail, which a chatty start could cut).
  let started: { httpPort: number; grpcAddress?: string } | undefined;
  let pending = '';
  const findStarted = (chunk: Buffer) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    const line = lines.find((l) => l.includes('"service started"'));
    if (line) {
      started = JSON.parse(line);
      child.stdout?.off('data', findStarted);
    }
  };
  child.stdout?.on('data', findStarted);
  try {
    const listening = await waitFor(
      () => {
        if (gone) throw new Error(`exited with ${child.exitCode} during start`);
        return started;
      },
      { timeoutMs: 60_000, what: `${serviceDir} to start` },
    );
    return {
      ...spawned,
      httpUrl: `http://127.0.0.1:${listening.httpPort}`,
      grpcAddress: listening.grpcAddress ?? '',
      async stop(signal = 'SIGTERM') {
        if (!gone) child.kill(signal);
        return exited;
      },
      async kill() {
        if (!gone) child.kill('SIGKILL');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output().slice(-4000)}`);
  }
}
