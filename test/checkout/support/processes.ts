// Starts a service's main.ts as a real process on free ports and reads its addresses from its
// "service started" log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shopstack/kit/testing';

export interface ServiceProcess {
  name: string;
  httpUrl: string;
  grpcAddress: string | undefined;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const main = fileURLToPath(new URL(`../../../services/${name}/src/main.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'shopstack-source', main], {
    env: { ...process.env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started: { httpPort: number; grpcAddress?: string } | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    // E2E_LOGS=orders (or a comma-separated list) shows those services' logs while debugging.
    if (process.env.E2E_LOGS?.split(',').includes(name)) process.stderr.write(chunk);
    for (const line of output.split('\n')) {
      if (!line.includes('"service started"')) continue;
      try {
        started = JSON.parse(line);
      } catch {}
    }
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      () => started ?? (child.exitCode !== null ? Promise.reject(new Error('exited')) : undefined),
      { timeoutMs: 60_000, what: `${name} to start` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start (${(error as Error).message}):\n${output.slice(-3000)}`);
  }
  return {
    name,
    httpUrl: `http://127.0.0.1:${started!.httpPort}`,
    grpcAddress: started!.grpcAddress,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
