// One mocha run for the whole repository. TypeScript runs directly through tsx; the
// "shopstack-source" condition makes workspace packages resolve to their src/ instead of dist/.
// Files to run come from the command line: `npm test` passes every suite (see scripts/test.sh);
// `npx mocha 'services/users/test/**/*.test.ts'` runs one.
module.exports = {
  require: [
    'test/support/infra-env.cjs',
    'test/support/file-times.cjs',
    'services/kit/src/testing/pki-hooks.ts',
  ],
  'node-option': ['import=tsx', 'conditions=shopstack-source'],
  extension: ['ts'],
  timeout: 60000,
  slow: 2000,
  exit: true,
  'forbid-only': true,
  reporter: 'spec',
};
