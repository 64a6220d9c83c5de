// Builds the web app into dist/ with Vite, unless dist/ was built from exactly these inputs: the
// hash of the sources, the OpenAPI documents, the config and the lockfile is kept in
// dist/.build-hash, so `npm start` and `npm test` pay for the build only when something changed.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = `${root}dist/.build-hash`;

async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`])),
  );
  return nested.flat().sort();
}

const inputs = [
  ...(await files(`${root}src`)),
  ...(await files(`${root}openapi`)),
  `${root}index.html`,
  `${root}vite.config.ts`,
  `${root}package.json`,
  `${root}../package-lock.json`,
];
const hash = createHash('sha256');
for (const file of inputs) hash.update(file.slice(root.length)).update(await readFile(file));
const digest = hash.digest('hex');

const previous = await readFile(stampFile, 'utf8').catch(() => '');
if (previous.trim() === digest && !process.argv.includes('--force')) {
  console.error('[web] dist/ is up to date');
} else {
  const started = Date.now();
  await build({ root, logLevel: 'warn', configFile: `${root}vite.config.ts` });
  await writeFile(stampFile, `${digest}\n`);
  console.error(`[web] built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
