// Module resolution hooks (registered by register.ts) that keep client-node's generated API out of
// the operator's memory. client-node's config.js, where KubeConfig lives, imports its whole generated
// index (every model and API class of Kubernetes: ~+50 MiB RSS, ~25 MiB of heap) for two small
// functions it needs only in makeApiClient. Here that one import resolves to gen-index.ts, which
// re-exports those two from their own small modules. Nothing else changes: KubeConfig is
// client-node's own code, so token files, client certificates, exec plugins, OIDC and in-cluster
// service accounts work as before. client-node has no entry point without the generated API, hence
// a hook; if an upgrade makes config.js import more from the index, the operator fails at start
// with a missing-export error (and the unit test kube-config-without-generated-api says so).
import type { ResolveHook } from 'node:module';

const CONFIG_MODULE = /\/node_modules\/@kubernetes\/client-node\/dist\/config\.js$/;
const GENERATED_INDEX = './gen/index.js';

export const resolve: ResolveHook = (specifier, context, next) => {
  if (specifier === GENERATED_INDEX && context.parentURL && CONFIG_MODULE.test(context.parentURL)) {
    // Resolved as if imported from this file, so tsx finds gen-index.ts when run from source.
    return next('./gen-index.js', { ...context, parentURL: import.meta.url });
  }
  return next(specifier, context);
};
