// The deny list's rules, and the kit's verifier refusing a revoked token as soon as the list is read.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  createJwtVerifier,
  httpTokenDenialsSource,
  TOKEN_DENIALS_PATH,
  TokenDenialList,
  type TokenDenialsFeed,
} from '../src/index.js';
import { startTestIssuer } from '../src/testing/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A feed held in memory: the cursor is how many denials were read. */
function memoryFeed() {
  const denials: TokenDenialsFeed['denials'] = [];
  let reads = 0;
  let failing = false;
  return {
    denials,
    get reads() {
      return reads;
    },
    fail(on: boolean) {
      failing = on;
    },
    source: async (after: string | undefined): Promise<TokenDenialsFeed> => {
      reads++;
      if (failing) throw new Error('users is out of reach');
      const from = Number(after ?? 0);
      return { cursor: String(denials.length), denials: denials.slice(from) };
    },
  };
}

describe('kit: the token deny list', () => {
  const t0 = Date.parse('2026-12-01T12:00:00.400Z');
  const second = Math.floor(t0 / 1000);
  const user = randomUUID();
  const session = randomUUID();

  it('refuses a revoked session, and the user’s tokens from seconds before a subject denial only', async () => {
    const feed = memoryFeed();
    let now = t0;
    const list = new TokenDenialList(feed.source, () => now);
    feed.denials.push(
      { subject: user, sessionId: session, issuedBefore: iso(t0), expiresAt: iso(t0 + 60_000) },
      { subject: user, sessionId: null, issuedBefore: iso(t0), expiresAt: iso(t0 + 60_000) },
    );
    await list.refresh();
    assert.equal(list.size, 2);
    assert.equal(
      list.denies({ subject: user, sessionId: session, issuedAt: second + 5 }),
      true,
      'the session',
    );
    const otherSession = randomUUID();
    assert.equal(
      list.denies({ subject: user, sessionId: otherSession, issuedAt: second - 1 }),
      true,
      'older',
    );
    // The denial's own second is the session denials' to judge: a fresh sign-in in it passes.
    assert.equal(list.denies({ subject: user, sessionId: otherSession, issuedAt: second }), false);
    assert.equal(list.denies({ subject: user, sessionId: otherSession, issuedAt: second + 1 }), false);
    assert.equal(list.denies({ subject: randomUUID(), sessionId: undefined, issuedAt: second - 1 }), false);

    now = t0 + 60_001; // every token those denials stopped has expired by now
    assert.equal(list.denies({ subject: user, sessionId: session, issuedAt: second }), false);
    await list.refresh();
    assert.equal(list.size, 0, 'expired denials are dropped');
  });

  it('reads only what is new after the first read, and keeps the wider of two denials of a user', async () => {
    const feed = memoryFeed();
    const list = new TokenDenialList(feed.source, () => t0);
    feed.denials.push({
      subject: user,
      sessionId: null,
      issuedBefore: iso(t0 - 5000),
      expiresAt: iso(t0 + 9000),
    });
    await list.refresh();
    feed.denials.push({ subject: user, sessionId: null, issuedBefore: iso(t0), expiresAt: iso(t0 + 60_000) });
    await list.refresh();
    assert.equal(list.denies({ subject: user, sessionId: undefined, issuedAt: second - 2 }), true);
    // An earlier, shorter denial read again (the feed may repeat rows) narrows nothing.
    feed.denials.push(feed.denials[0]!);
    await list.refresh();
    assert.equal(list.denies({ subject: user, sessionId: undefined, issuedAt: second - 2 }), true);
    assert.equal(list.size, 1);
  });

  it('fails closed until read once (503), then keeps the last list while the feed is away', async () => {
    const feed = memoryFeed();
    const list = new TokenDenialList(feed.source, () => t0);
    feed.fail(true);
    await assert.rejects(
      list.check({ subject: user, sessionId: session, issuedAt: second }),
      (error: unknown) => error instanceof AppError && error.kind === 'unavailable',
    );
    feed.fail(false);
    feed.denials.push({
      subject: user,
      sessionId: session,
      issuedBefore: iso(t0),
      expiresAt: iso(t0 + 60_000),
    });
    await assert.rejects(
      list.check({ subject: user, sessionId: session, issuedAt: second }),
      (error: unknown) => error instanceof AppError && error.code === 'token-revoked',
    );
    feed.fail(true);
    await assert.rejects(list.refresh());
    await assert.rejects(
      list.check({ subject: user, sessionId: session, issuedAt: second }),
      (error: unknown) => error instanceof AppError && error.code === 'token-revoked',
    );
    await list.check({ subject: user, sessionId: randomUUID(), issuedAt: second });
  });

  it('makes the verifier refuse a valid token whose session the issuer revoked', async () => {
    const issuer = await startTestIssuer();
    try {
      const denials = new TokenDenialList(
        httpTokenDenialsSource(new URL(TOKEN_DENIALS_PATH, issuer.jwksUrl)),
      );
      const verifier = createJwtVerifier({
        jwksUrl: issuer.jwksUrl,
        issuer: 'shopstack-users',
        audience: 'shopstack',
        denials,
      });
      const token = await issuer.token(user, 'customer', { sessionId: session });
      assert.equal((await verifier.verify(token)).sessionId, session);
      issuer.deny(user, session);
      await denials.refresh();
      await assert.rejects(
        verifier.verify(token),
        (error: unknown) =>
          error instanceof AppError && error.kind === 'unauthenticated' && error.code === 'token-revoked',
      );
      const otherSession = await issuer.token(user, 'customer', { sessionId: randomUUID() });
      assert.equal((await verifier.verify(otherSession)).id, user);
    } finally {
      await issuer.close();
    }
  });
});
