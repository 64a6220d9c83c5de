// The orders service as a real process (its main.ts), for crash tests: SIGKILL gives no chance to
// clean up, exactly like a node that dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shopstack/kit/testing';

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface OrdersProcess {
  url: string;
  child: ChildProcess;
  kill(): Promise<void>;
}

export async function spawnOrders(env: Record<string, string>): Promise<OrdersProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'shopstack-source', mainTs], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let httpPort: number | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const started = output.match(/"httpPort":(\d+)[^\n]*"msg":"service started"/);
    if (started) httpPort = Number(started[1]);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      () => httpPort ?? (child.exitCode !== null ? Promise.reject(new Error(output)) : undefined),
      {
        timeoutMs: 30_000,
        what: 'orders process to start',
      },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`orders did not start: ${(error as Error).message}\n${output.slice(-2000)}`);
  }
  return {
    url: `http://127.0.0.1:${httpPort}`,
    child,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
