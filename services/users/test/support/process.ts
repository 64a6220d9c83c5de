// The users service as a real child process (src/main.ts), for restart and crash tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shopstack/kit/testing';

const mainFile = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface UsersProcess {
  child: ChildProcess;
  httpUrl: string;
  grpcAddress: string;
  output(): string;
  /** Sends the signal and resolves with the exit code once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

export function spawnUsers(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'shopstack-source', mainFile], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

export async function startUsersProcess(env: Record<string, string>): Promise<UsersProcess> {
  const { child, exited, output } = spawnUsers({ HTTP_PORT: '0', GRPC_PORT: '0', ...env });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const started = await waitFor(
    () => {
      if (gone) throw new Error(`users exited during start:\n${output()}`);
      const line = output()
        .split('\n')
        .find((l) => l.includes('"service started"'));
      return line ? (JSON.parse(line) as { httpPort: number; grpcAddress: string }) : undefined;
    },
    { timeoutMs: 30_000, what: 'users process to start' },
  );
  return {
    child,
    httpUrl: `http://127.0.0.1:${started.httpPort}`,
    grpcAddress: started.grpcAddress,
    output,
    async stop(signal) {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
