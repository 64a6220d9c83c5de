// Runs the operator as its own process, as `npm run operator` does, so tests can kill it for real.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, REPO_ROOT } from './cluster.js';

export interface OperatorOptions {
  kubeconfig: string;
  namespace: string;
  leaseName: string;
  identity: string;
  /** Shops of this shard only, so operators others run on the shared cluster leave the test's shops alone. */
  shard: string;
  env?: Record<string, string>;
  /** Run the compiled build (operator/dist, what the image runs) instead of the source through tsx. */
  build?: boolean;
}

export class OperatorProcess {
  readonly logs: string[] = [];
  private port: number | undefined;
  private exited: Promise<number | null>;

  private constructor(
    readonly identity: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        this.logs.push(line);
        const port = /"port":(\d+).*ops server listening/.exec(line);
        if (port) this.port = Number(port[1]);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const child = spawn(
      process.execPath,
      options.build
        ? imageCommand()
        : ['--import', 'tsx', '--conditions', 'shopstack-source', join(REPO_ROOT, 'operator/src/main.ts')],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KUBECONFIG: options.kubeconfig,
          POD_NAMESPACE: options.namespace,
          POD_NAME: options.identity,
          LEASE_NAME: options.leaseName,
          SHARD: options.shard,
          METRICS_PORT: '0',
          METRICS_HOST: '127.0.0.1',
          LEASE_DURATION_SECONDS: '6',
          RENEW_DEADLINE_SECONDS: '4',
          RETRY_PERIOD_SECONDS: '1',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const operator = new OperatorProcess(options.identity, child);
    try {
      await eventually(
        `operator ${options.identity} to listen`,
        () => operator.port !== undefined || operator.failed(),
        // Started from source through tsx: compiling the operator and importing client-node takes
        // seconds on a quiet machine and over 30 s while the other suites build images and start pods.
        90_000,
      );
    } catch (error) {
      // A start that timed out leaves no operator behind to take the test's lease or shops.
      await operator.stop('SIGKILL');
      throw error;
    }
    return operator;
  }

  private failed(): false {
    if (this.child.exitCode !== null)
      throw new Error(`operator exited early:\n${this.logs.slice(-20).join('\n')}`);
    return false;
  }

  /** host:port of its /metrics (and health endpoints). */
  get metricsAddress(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Every sample of the operator's /metrics, keyed "name{labels}". */
  async metrics(): Promise<Map<string, number>> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    const samples = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      samples.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return samples;
  }

  /** Sum of all samples whose key starts with the prefix and contains every fragment. */
  async sum(prefix: string, ...fragments: string[]): Promise<number> {
    let total = 0;
    for (const [key, value] of await this.metrics()) {
      if (key.startsWith(prefix) && fragments.every((f) => key.includes(f))) total += value;
    }
    return total;
  }

  async isLeader(): Promise<boolean> {
    return (await this.sum('shopstack_operator_leader')) === 1;
  }

  /** Its peak resident memory so far (VmHWM), in bytes; undefined where /proc is not there. */
  peakRss(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
      return kib ? Number(kib) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/**
 * Node's arguments as the image runs them: operator/Dockerfile's CMD (V8's heap flags and the entry
 * point, relative to the image's /app, which is the repository root here).
 */
function imageCommand(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'operator/Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!cmd) throw new Error('operator/Dockerfile: no CMD ["...", ...] line');
  return (JSON.parse(cmd) as string[]).map((arg) => (arg.startsWith('-') ? arg : join(REPO_ROOT, arg)));
}
