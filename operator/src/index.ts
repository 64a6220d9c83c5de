// Public surface of the operator package: the API types, the CRD generator and the pure renderers.
export * from './api/index.js';
export * from './render/envoy/index.js';
export * from './render/index.js';
