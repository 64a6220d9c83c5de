// Loaded by mocha before any test: copies the addresses `npm run infra -- up` wrote to .infra/env
// into process.env, without overriding variables that are already set.
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(__dirname, '../../.infra/env');
if (fs.existsSync(file)) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2];
  }
}
