// Loaded by mocha (.mocharc.cjs): when MOCHA_FILE_TIMES names a file, every suite file's wall time
// (its hooks included) is appended to it as "<seconds>\t<file>". scripts/test.sh prints the slowest,
// which is what decides how long the parallel run takes.
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.MOCHA_FILE_TIMES;
let started = 0;

exports.mochaHooks = out
  ? {
      beforeAll() {
        started = Date.now();
      },
      afterAll() {
        const file = this.test?.parent?.suites?.[0]?.file ?? this.test?.parent?.file ?? 'unknown';
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        fs.appendFileSync(out, `${seconds}\t${path.relative(process.cwd(), file)}\n`);
      },
    }
  : {};
