import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../support/process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the local edge configuration in envoy/', () => {
  it('is what the operator renderer makes for npm start today (not a stale copy)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-config-'));
    try {
      const out = path.join(dir, 'envoy.yaml');
      const script = [
        'source scripts/infra/lib.sh',
        'for f in scripts/infra/*.sh; do [ "$(basename "$f")" = lib.sh ] || source "$f"; done',
        'source scripts/local/services.sh',
        'source scripts/local/platform.sh',
        `render_edge_config ${out}`,
      ].join('; ');
      const rendered = await run('bash', ['-c', `cd ${repoRoot} && ${script}`]);
      assert.equal(rendered.code, 0, rendered.stderr);
      const committed = await readFile(path.join(repoRoot, 'envoy/envoy.local.yaml'), 'utf8');
      assert.equal(
        await readFile(out, 'utf8'),
        committed,
        'run npm start (or render_edge_config) and commit envoy/',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
