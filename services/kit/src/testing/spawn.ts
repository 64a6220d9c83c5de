// A service as a real child process (its src/main.ts through tsx), the way Kubernetes runs it: for
// tests that send it SIGTERM, SIGKILL it like a node that dies, or check how it refuses bad config.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface SpawnedMain {
  child: ChildProcess;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** Starts `<serviceDir>/src/main.ts` with `env` over this process's environment; does not wait. */
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
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
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

/** Starts the service on free ports (unless `env` names them) and waits for its "service started" log line. */
export async function spawnService(serviceDir: string, env: Record<string, string>): Promise<SpawnedService> {
  // LOG_LEVEL info whatever `env` says: the "service started" line is how it tells where it listens.
  const spawned = spawnMain(serviceDir, {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    ...env,
    LOG_LEVEL: 'info',
  });
  const { child, exited, output } = spawned;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  try {
    const started = await waitFor(
      () => {
        if (gone) throw new Error(`exited with ${child.exitCode} during start`);
        const line = output()
          .split('\n')
          .find((l) => l.includes('"service started"'));
        return line ? (JSON.parse(line) as { httpPort: number; grpcAddress?: string }) : undefined;
      },
      { timeoutMs: 60_000, what: `${serviceDir} to start` },
    );
    return {
      ...spawned,
      httpUrl: `http://127.0.0.1:${started.httpPort}`,
      grpcAddress: started.grpcAddress ?? '',
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
