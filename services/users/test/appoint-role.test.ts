import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Harness, startHarness } from './support/harness.js';

const cli = fileURLToPath(new URL('../src/cli/appoint-role.ts', import.meta.url));

async function appoint(databaseUrl: string, ...args: string[]) {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'shopstack-source', cli, ...args],
      { env: { ...process.env, DATABASE_URL: databaseUrl } },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('users: appointing a role from the console', () => {
  let harness: Harness;

  before(async () => {
    harness = await startHarness();
  });

  after(async () => {
    await harness?.close();
  });

  it('makes the first admin, who can then manage users, and audits it', async () => {
    const { id, email, password } = await harness.register();
    const before = await harness.login(email, password);
    assert.equal((await harness.call('/api/users/admin/users', { token: before.accessToken })).status, 403);

    const result = await appoint(harness.database.url, email, 'admin');
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /is now admin/);

    // The old session ended with the role change; a new sign-in carries the new role.
    const { accessToken } = await harness.login(email, password);
    assert.equal((await harness.call('/api/users/admin/users', { token: accessToken })).status, 200);
    const audit = await harness.call(`/api/users/admin/audit?userId=${id}`, { token: accessToken });
    assert.equal(audit.status, 200);
    const entry = JSON.stringify(audit.body);
    assert.match(entry, /role\.changed/);
    assert.match(entry, /console/);
  });

  it('refuses an unknown account and a role that does not exist, changing nothing', async () => {
    const missing = await appoint(harness.database.url, 'nobody@example.test', 'admin');
    assert.equal(missing.code, 1);
    assert.match(missing.out, /no such user/);

    const { email } = await harness.register();
    const badRole = await appoint(harness.database.url, email, 'superuser');
    assert.equal(badRole.code, 2);
    assert.match(badRole.out, /usage/);
    const { rows } = await harness.service.deps.pool.query('select role from users where email = $1', [
      email,
    ]);
    assert.equal(rows[0].role, 'customer');
  });
});
