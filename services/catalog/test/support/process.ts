// The catalog as a child process (src/main.ts through tsx), on free ports; its log tells where it
// listens once it has started.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shopstack/kit/testing';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

export interface CatalogProcess {
  child: ChildProcess;
  httpUrl: string;
  grpcAddress: string;
  output(): string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
}

export async function startCatalogProcess(env: Record<string, string>): Promise<CatalogProcess> {
  let output = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions', 'shopstack-source', 'src/main.ts'],
    {
      cwd: serviceDir,
      env: { ...process.env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  try {
    const started = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
        const line = output.split('\n').find((l) => l.includes('"service started"'));
        return line ? (JSON.parse(line) as { httpPort: number; grpcAddress: string }) : undefined;
      },
      { timeoutMs: 60_000, what: 'the catalog process to start' },
    );
    return {
      child,
      httpUrl: `http://127.0.0.1:${started.httpPort}`,
      grpcAddress: started.grpcAddress,
      output: () => output,
      exited,
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
}
