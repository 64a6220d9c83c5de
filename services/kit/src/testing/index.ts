// @shopstack/kit/testing: support for suites that run against the real servers.
export { createTestDatabase, randomSuffix, requireEnv, type TestDatabase } from './database.js';
export { httpClient, type Json, type JsonResponse, rawRequest, readJson, requestJson } from './http.js';
export { startTestIssuer, type TestIssuer } from './issuer.js';
export { linkIn, type Mailbox, mailpit, type ReceivedMail } from './mailpit.js';
export {
  grpcurlTlsArgs,
  prepareTestIdentities,
  TEST_IDENTITIES,
  testCertificateAuthority,
  testGrpcChannel,
  testGrpcEnv,
  testGrpcTransport,
  testIdentityDir,
  writeIdentity,
} from './pki.js';
export { freePort } from './ports.js';
export { type PrivateRabbit, startPrivateRabbit } from './private-rabbit.js';
export {
  createTestQueue,
  deleteConsumerQueues,
  deleteExchange,
  queueDepth,
  type TestQueue,
  testExchangeName,
} from './rabbit.js';
export { type SpawnedMain, type SpawnedService, serviceDir, spawnMain, spawnService } from './spawn.js';
export { tempDir } from './temp-dirs.js';
export { waitFor } from './wait.js';
