// A second kube-apiserver on the shared etcd, owned by one test: it can be stopped and started at will
// without disturbing anyone else's tests, which keep using the shared one.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clusterEnv, eventually } from './cluster.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class PrivateApiServer {
  private process: ChildProcess | undefined;
  private readonly certDir = mkdtempSync(join(tmpdir(), 'apiserver-'));
  readonly logs: string[] = [];

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateApiServer> {
    const server = new PrivateApiServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Same flags as scripts/infra/kube.sh, so tokens issued by the shared server are valid here too. */
  async start(): Promise<void> {
    const { kubectlBin, kubeconfig } = clusterEnv();
    const state = dirname(kubeconfig);
    const etcd = process.env.ETCD_URL ?? 'http://127.0.0.1:2379';
    const sharedPort = process.env.KUBE_API_PORT ?? '6443';
    this.process = spawn(
      join(dirname(kubectlBin), 'kube-apiserver'),
      [
        `--etcd-servers=${etcd}`,
        `--cert-dir=${this.certDir}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${this.port}`,
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--authorization-mode=RBAC',
        `--service-account-issuer=https://127.0.0.1:${sharedPort}/`,
        `--service-account-key-file=${join(state, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(state, 'sa.key')}`,
        `--token-auth-file=${join(state, 'tokens.csv')}`,
        '--disable-admission-plugins=ServiceAccount',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.logs.push(chunk.toString());
      if (this.logs.length > 200) this.logs.shift();
    };
    this.process.stdout?.on('data', keep);
    this.process.stderr?.on('data', keep);
    await eventually(
      `private kube-apiserver on :${this.port} to be ready`,
      async () => {
        if (this.process?.exitCode !== null)
          throw new Error(`kube-apiserver exited: ${this.logs.slice(-5).join('')}`);
        const ready = await fetchReadyz(this.port);
        return ready;
      },
      120_000,
    );
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.certDir, { recursive: true, force: true });
  }
}

async function fetchReadyz(port: number): Promise<boolean> {
  const https = await import('node:https');
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        // Unauthenticated /readyz is allowed for system:unauthenticated by the default RBAC policy.
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
