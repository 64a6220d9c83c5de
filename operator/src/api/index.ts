export * from './constants.js';
export * from './crd.js';
export { type ParseResult, parseShopDeployment } from './parse.js';
export * from './shop-deployment.js';
export * from './spec.js';
export * from './status.js';
