// Where the API server is and how to authenticate: @kubernetes/client-node's KubeConfig, so every way
// a kubeconfig can name credentials works (token, token file, client certificate, exec plugins, OIDC)
// and a pod's service account is found the way client-go finds it (KUBECONFIG, ~/.kube/config, then
// in-cluster, with the projected token re-read as it rotates).
// client-node's KubeConfig module without the generated API it would load (scripts/gen-kube-config.mjs).

import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { KubeConfig } from '#kube-config';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node gives every request a dispatcher of its own, so each would open a new TLS connection.
 * This one keeps the first dispatcher made for a cluster and user and hands it to every later request,
 * so they share one keep-alive pool (client-node caches its https agents by the same key).
 */
export class SharedConnectionsKubeConfig extends KubeConfig {
  private readonly dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const key = JSON.stringify([this.getCurrentCluster()?.name, this.getCurrentUser()?.name]);
    const shared = this.dispatchers.get(key);
    if (shared) context.setDispatcher(shared);
    else this.dispatchers.set(key, fresh);
  }

  /** Closes the shared connections (tests, shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.close()));
    this.dispatchers.clear();
  }
}

/** KUBECONFIG (its first file), else ~/.kube/config, else the pod's service account. */
export function loadKubeConfig(file?: string): SharedConnectionsKubeConfig {
  const config = new SharedConnectionsKubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  if (!config.getCurrentCluster())
    throw new Error(`kubeconfig: current context ${config.getCurrentContext()} has no cluster`);
  return config;
}
