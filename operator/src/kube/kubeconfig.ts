// Where the API server is and how to authenticate: @kubernetes/client-node's KubeConfig, so every way
// a kubeconfig can name credentials works (token, token file, client certificate, exec plugins, OIDC)
// and a pod's service account is found the way client-go finds it (KUBECONFIG, ~/.kube/config, then
// in-cluster, with the projected token re-read as it rotates). The operator keeps its own transport
// (client.ts) for server-side apply, watch streaming and write counting.
import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface ClusterAccess {
  server: string;
  /** Adds the TLS settings and credentials of the current context to one request. */
  authenticate(request: https.RequestOptions): Promise<void>;
}

export function fromKubeConfig(config: KubeConfig): ClusterAccess {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig: current context ${config.getCurrentContext()} has no cluster`);
  return {
    server: cluster.server,
    async authenticate(request) {
      // applyToHTTPSOptions also makes a new agent each time; the client keeps its one keep-alive
      // agent and takes only the TLS settings and headers.
      const applied: https.RequestOptions = { headers: {} };
      await config.applyToHTTPSOptions(applied);
      const { ca, cert, key, rejectUnauthorized, auth } = applied;
      Object.assign(request, { ca, cert, key, auth, rejectUnauthorized: rejectUnauthorized ?? true });
      request.headers = { ...request.headers, ...applied.headers };
    },
  };
}

/** KUBECONFIG (its first file), else ~/.kube/config, else the pod's service account. */
export function loadClusterAccess(): ClusterAccess {
  const config = new KubeConfig();
  config.loadFromDefault();
  return fromKubeConfig(config);
}

export function fromKubeconfig(file: string): ClusterAccess {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return fromKubeConfig(config);
}
