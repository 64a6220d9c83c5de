// A real Envoy on free loopback ports, configured by the operator's renderer (the same code that
// writes a cluster's edge ConfigMap and envoy/envoy.local.yaml).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@shopstack/kit/testing';
import { type EnvoyConfigInput, renderEnvoyYaml } from '@shopstack/operator/envoy';
import { infraEnv } from './env.js';
import { start } from './process.js';

export type EdgeInput = Omit<EnvoyConfigInput, 'bindAddress' | 'listenPort' | 'opsPort' | 'adminPort'>;

export interface RunningEnvoy {
  edgeUrl: string;
  adminUrl: string;
  opsUrl: string;
  output(): string;
  close(): Promise<void>;
}

export async function startEnvoy(input: EdgeInput): Promise<RunningEnvoy> {
  const [listenPort, opsPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-'));
  const config = path.join(dir, 'envoy.yaml');
  await writeFile(
    config,
    renderEnvoyYaml({ ...input, bindAddress: '127.0.0.1', listenPort, opsPort, adminPort }),
  );
  const envoy = start(infraEnv('ENVOY_BIN'), ['-c', config, '--disable-hot-restart', '--log-level', 'warn']);
  return {
    // Over TLS by the name the test certificates are made for.
    edgeUrl: input.tls ? `https://localhost:${listenPort}` : `http://127.0.0.1:${listenPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    output: () => envoy.output(),
    async close() {
      envoy.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
