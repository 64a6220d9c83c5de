// TOTP two-factor sign-in: enrol, confirm, the second sign-in step, recovery codes, disable.
import assert from 'node:assert/strict';
import { base32Decode, totpCode, totpStep } from '../src/domain/totp.js';
import { type Harness, startHarness } from './support/harness.js';

const codeFor = (secret: string, offsetSteps = 0) =>
  totpCode(base32Decode(secret), totpStep(Date.now()) + offsetSteps);

describe('users: two-factor sign-in', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  async function enrolled() {
    const user = await h.register();
    const { accessToken } = await h.login(user.email, user.password);
    const enroll = await h.call('/api/users/me/two-factor/enroll', { token: accessToken, body: {} });
    assert.equal(enroll.status, 200);
    const secret: string = enroll.body.secret;
    assert.match(
      enroll.body.otpauthUrl,
      /^otpauth:\/\/totp\/ShopStack%3A.+\?secret=[A-Z2-7]+&issuer=ShopStack/,
    );
    const confirm = await h.call('/api/users/me/two-factor/confirm', {
      token: accessToken,
      body: { code: codeFor(secret, -1) },
    });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    return { ...user, accessToken, secret, recoveryCodes: confirm.body.recoveryCodes as string[] };
  }

  it('confirms enrolment only with a correct code, and shows ten recovery codes once', async () => {
    const user = await h.register();
    const { accessToken } = await h.login(user.email, user.password);
    const enroll = await h.call('/api/users/me/two-factor/enroll', { token: accessToken, body: {} });
    const wrong = await h.call('/api/users/me/two-factor/confirm', {
      token: accessToken,
      body: { code: '000000' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors[0].field, 'code');
    const me = await h.call('/api/users/me', { token: accessToken });
    assert.equal(me.body.twoFactorEnabled, false);

    const confirm = await h.call('/api/users/me/two-factor/confirm', {
      token: accessToken,
      body: { code: codeFor(enroll.body.secret) },
    });
    assert.equal(confirm.status, 200);
    assert.equal(confirm.body.recoveryCodes.length, 10);
    assert.equal(new Set(confirm.body.recoveryCodes).size, 10);
    const stored = await h.service.deps.pool.query(
      'select code_hash from recovery_codes where user_id = $1',
      [user.id],
    );
    assert.equal(stored.rows.length, 10);
    assert.ok(stored.rows.every((row) => Buffer.isBuffer(row.code_hash) && row.code_hash.length === 32));
    const again = await h.call('/api/users/me/two-factor/enroll', { token: accessToken, body: {} });
    assert.equal(again.status, 409);
  });

  it('asks for a second step at sign-in and accepts each TOTP code once', async () => {
    const user = await enrolled();
    const first = await h.call('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal(first.status, 200);
    assert.equal(first.body.twoFactorRequired, true);
    assert.equal(first.body.accessToken, undefined);

    const wrong = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: first.body.challengeToken, code: '123456' },
    });
    assert.equal(wrong.status, 401);

    const code = codeFor(user.secret);
    const second = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: first.body.challengeToken, code },
    });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.ok(second.body.accessToken && second.body.refreshToken);

    const replayChallenge = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: first.body.challengeToken, code },
    });
    assert.equal(replayChallenge.status, 401, 'the challenge is spent');

    const another = await h.call('/api/users/login', {
      body: { email: user.email, password: user.password },
    });
    const replayCode = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: another.body.challengeToken, code },
    });
    assert.equal(replayCode.status, 401, 'a TOTP code is accepted once');
  });

  it('accepts each recovery code once', async () => {
    const user = await enrolled();
    const challenge = async () =>
      (await h.call('/api/users/login', { body: { email: user.email, password: user.password } })).body
        .challengeToken;
    const recovery = user.recoveryCodes[0]!;
    const ok = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: await challenge(), code: recovery.toUpperCase() },
    });
    assert.equal(ok.status, 200);
    const reused = await h.call('/api/users/login/second-factor', {
      body: { challengeToken: await challenge(), code: recovery },
    });
    assert.equal(reused.status, 401);
    const audit = await h.service.deps.pool.query(
      `select details from audit_log where subject_id = $1 and event = 'login.succeeded' order by id desc limit 1`,
      [user.id],
    );
    assert.equal(audit.rows[0].details.secondFactor, 'recovery_code');
  });

  it('disables only with the password and a valid code', async () => {
    const user = await enrolled();
    const wrongPassword = await h.call('/api/users/me/two-factor/disable', {
      token: user.accessToken,
      body: { password: 'not my password', code: codeFor(user.secret) },
    });
    assert.equal(wrongPassword.status, 400);
    const wrongCode = await h.call('/api/users/me/two-factor/disable', {
      token: user.accessToken,
      body: { password: user.password, code: '000000' },
    });
    assert.equal(wrongCode.status, 400);
    const disabled = await h.call('/api/users/me/two-factor/disable', {
      token: user.accessToken,
      body: { password: user.password, code: codeFor(user.secret) },
    });
    assert.equal(disabled.status, 204);
    const login = await h.call('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal(login.body.twoFactorRequired, false);
    const rows = await h.service.deps.pool.query(
      'select count(*)::int as n from recovery_codes where user_id = $1',
      [user.id],
    );
    assert.equal(rows.rows[0].n, 0);
  });
});
