// Helpers for tests against the real local control plane (`npm run infra -- up kube tools`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
export const CHART_DIR = join(REPO_ROOT, 'charts/shopstack-operator');
const run = promisify(execFile);

export function clusterEnv() {
  const kubeconfig = process.env.KUBECONFIG;
  const kubectlBin = process.env.KUBECTL_BIN ?? process.env.KUBECTL;
  const helmBin = process.env.HELM_BIN;
  assert.ok(kubeconfig && kubectlBin, 'KUBECONFIG / KUBECTL are not set: run `npm run infra -- up kube`');
  assert.ok(helmBin, 'HELM_BIN is not set: run `npm run infra -- up tools`');
  return { kubeconfig, kubectlBin, helmBin };
}

export const suffix = () => randomBytes(3).toString('hex');

export function adminClient(): KubeClient {
  return new KubeClient(loadKubeConfig(clusterEnv().kubeconfig));
}

/** The API server's URL in the test kubeconfig. */
export function apiServer(): URL {
  return new URL(loadKubeConfig(clusterEnv().kubeconfig).getCurrentCluster()!.server);
}

export async function kubectl(
  args: string[],
  input?: string,
  kubeconfig = clusterEnv().kubeconfig,
): Promise<string> {
  const { kubectlBin } = clusterEnv();
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlBin,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            Object.assign(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`), {
              stderr,
              stdout,
            }),
          );
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function helmTemplate(
  release: string,
  namespace: string,
  values: string[] = [],
): Promise<KubeObject[]> {
  const { helmBin } = clusterEnv();
  const { stdout } = await run(helmBin, [
    'template',
    release,
    CHART_DIR,
    '--namespace',
    namespace,
    ...values.flatMap((v) => ['--set', v]),
  ]);
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJSON() as KubeObject | null)
    .filter((doc): doc is KubeObject => doc !== null);
}

export interface InstalledChart {
  namespace: string;
  release: string;
  fullname: string;
  serviceAccount: string;
  uninstall: () => Promise<void>;
}

/** The chart's CRDs (crds/), applied server-side as Helm would install them; idempotent. */
export async function installCrds(): Promise<void> {
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(CHART_DIR, 'crds')]);
}

/**
 * Installs what the chart installs: its CRD (crds/) and, from `helm template`, the ServiceAccount,
 * RBAC, Service and a Deployment scaled to zero (no operator image runs here; the test runs the
 * operator process itself with the ServiceAccount's token).
 */
export async function installChart(namespace: string): Promise<InstalledChart> {
  const release = `op-${suffix()}`;
  await installCrds();
  await kubectl(['create', 'namespace', namespace]);
  const objects = await helmTemplate(release, namespace, ['replicaCount=0']);
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const fullname = `${release}-shopstack-operator`;
  return {
    namespace,
    release,
    fullname,
    serviceAccount: fullname,
    uninstall: async () => {
      await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
      await kubectl(['delete', 'clusterrole,clusterrolebinding', fullname, '--ignore-not-found']);
    },
  };
}

/** A kubeconfig that authenticates as the chart's ServiceAccount, with a token from a TokenRequest. */
export async function serviceAccountKubeconfig(
  chart: InstalledChart,
  dir: string,
  server?: string,
): Promise<string> {
  const config = loadKubeConfig(clusterEnv().kubeconfig);
  try {
    const response = await config.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: chart.serviceAccount,
      namespace: chart.namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const file = join(dir, `${chart.serviceAccount}.kubeconfig`);
    const target = server ?? apiServer().toString().replace(/\/$/, '');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: target, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'sa', user: { token: response.status?.token } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'c',
      }),
      { mode: 0o600 },
    );
    return file;
  } finally {
    await config.close();
  }
}

/** Polls until check returns a value (not undefined / false) or the deadline passes. */
export async function eventually<T>(
  description: string,
  check: () => Promise<T> | T,
  timeoutMs = 60_000,
): Promise<Exclude<T, undefined | false | null | ''>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && value !== null && value !== '') {
        return value as Exclude<T, undefined | false | null | ''>;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${description}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The object at an API path, as the API server writes it; undefined when there is none. */
export async function getObject<T = KubeObject>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await kubectl(['get', '--raw', path])) as T;
  } catch (error) {
    if (/NotFound|could not find the requested resource/.test(String((error as Error).message))) {
      return undefined;
    }
    throw error;
  }
}
