import assert from 'node:assert/strict';
import { type Harness, startHarness } from './support/harness.js';

describe('users smoke', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());
  it('registers, logs in, reads me', async () => {
    const user = await h.register();
    const tokens = await h.login(user.email, user.password);
    const me = await h.call('/api/users/me', { token: tokens.accessToken });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.email, user.email);
  });
});
