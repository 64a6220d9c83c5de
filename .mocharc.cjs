// One mocha run for the whole repository. TypeScript runs directly through tsx; the
// "shopstack-source" condition makes workspace packages resolve to their src/ instead of dist/.
// Narrow a run with a path: `npx mocha services/users/test`.
module.exports = {
  require: ['test/support/infra-env.cjs'],
  'node-option': ['import=tsx', 'conditions=shopstack-source'],
  spec: [
    'test/**/*.test.ts',
    'services/*/test/**/*.test.ts',
    'operator/test/**/*.test.ts',
  ],
  extension: ['ts'],
  timeout: 60000,
  slow: 2000,
  exit: true,
  'forbid-only': true,
  reporter: 'spec',
};
