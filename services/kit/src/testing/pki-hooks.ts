// mocha's root hook (.mocharc.cjs requires it): the run's test CA and the services' certificates are
// made once, before any suite starts services, so building a service's test environment stays
// synchronous (testGrpcEnv).
import { prepareTestIdentities } from './pki.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30_000);
    await prepareTestIdentities();
  },
};
