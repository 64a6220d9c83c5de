import { KubeConfig } from '@kubernetes/client-node';

/** $KUBECONFIG or ~/.kube/config on a workstation, the pod's service account in a cluster. */
export function loadKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}
