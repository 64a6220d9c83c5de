// Where the API server is and how to authenticate, from a kubeconfig file or a pod's service account.
// Supports what the operator meets in practice: server + CA (file or data) or insecure-skip-tls-verify,
// and a bearer token (inline or file) or a client certificate. Exec credential plugins are not
// supported. (@kubernetes/client-node 2.x declares undici ^8, which needs Node 22; this workspace runs
// on Node 20, and the operator needs only this much of a client.)
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  /** Read on every request: projected service-account tokens are rotated on disk. */
  token?: () => string;
  cert?: Buffer;
  key?: Buffer;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: Record<string, string | boolean> }[];
  users?: { name: string; user: Record<string, string> }[];
}

export function loadClusterAccess(env: NodeJS.ProcessEnv = process.env): ClusterAccess {
  const file = env.KUBECONFIG?.split(':')[0] || resolve(homedir(), '.kube/config');
  if (existsSync(file)) return fromKubeconfig(file);
  if (env.KUBERNETES_SERVICE_HOST) return inCluster(env);
  throw new Error(`no kubeconfig at ${file} and not running in a pod`);
}

export function fromKubeconfig(file: string): ClusterAccess {
  const config = parse(readFileSync(file, 'utf8')) as KubeconfigFile;
  const base = dirname(file);
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`kubeconfig ${file}: current context ${contextName} not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${file}: cluster ${context.cluster} not found`);
  const bytes = (data: unknown, path: unknown) =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64')
      : typeof path === 'string'
        ? readFileSync(resolve(base, path))
        : undefined;
  const token = user.token;
  const tokenFile = user.tokenFile;
  return {
    server: String(cluster.server),
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    token: token
      ? () => token
      : tokenFile
        ? () => readFileSync(resolve(base, tokenFile), 'utf8').trim()
        : undefined,
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
  };
}

function inCluster(env: NodeJS.ProcessEnv): ClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  return {
    server,
    ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`),
    insecureSkipTlsVerify: false,
    token: () => readFileSync(`${SERVICE_ACCOUNT_DIR}/token`, 'utf8').trim(),
  };
}
