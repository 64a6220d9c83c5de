// Runs only the orders suites (`cd services/orders && npx mocha`); the same settings as the repository's
// .mocharc.cjs, which runs everything.
const path = require('node:path');

module.exports = {
  require: [path.resolve(__dirname, '../../test/support/infra-env.cjs')],
  'node-option': ['import=tsx', 'conditions=shopstack-source'],
  spec: ['test/**/*.test.ts'],
  extension: ['ts'],
  timeout: 60000,
  slow: 2000,
  exit: true,
  'forbid-only': true,
  reporter: 'spec',
};
