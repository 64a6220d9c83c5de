// The payments service as a real OS process (src/main.ts through tsx), for tests that SIGKILL it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shopstack/kit/testing';

const SERVICE_DIR = fileURLToPath(new URL('../../', import.meta.url));

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  starts = 0;

  constructor(
    private readonly env: Record<string, string>,
    readonly httpUrl: string,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  async start(): Promise<void> {
    this.starts++;
    this.log.write(`--- start #${this.starts} ---\n`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'shopstack-source', 'src/main.ts'],
      {
        cwd: SERVICE_DIR,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    let exitedEarly = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        exitedEarly = true;
        resolve();
      }),
    );
    this.child = child;
    await waitFor(
      async () => {
        if (exitedEarly) throw new Error('the payments process exited during start (see its log)');
        const response = await fetch(`${this.httpUrl}/readyz`);
        return response.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the payments process to become ready' },
    );
  }

  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  async kill(): Promise<void> {
    this.log.write('--- SIGKILL ---\n');
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
    this.log.end();
  }
}
