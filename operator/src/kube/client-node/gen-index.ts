// What client-node's config.js imports from its generated index (see hooks.ts), from the small
// modules that define it: hand-written because the index re-exports every generated model and API.
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
