// A real token issuer for tests of services other than users: an ES256 key pair, its JWKS served over
// HTTP, and tokens signed for the issuer and audience the services expect. The service under test
// fetches the JWKS and verifies the tokens exactly as in production. Beside the JWKS it serves the
// token deny-list feed, as users does, so a test can revoke a session or a user.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { TOKEN_DENIALS_PATH, type TokenDenial, type TokenDenialsFeed } from '../auth/token-denials.js';

export interface TestIssuer {
  jwksUrl: string;
  token(
    userId: string,
    role?: string,
    options?: { issuer?: string; expiresIn?: string; sessionId?: string },
  ): Promise<string>;
  /**
   * Refuses one session's tokens, or (no session) every token of the user issued until now and in the
   * rest of this second (tokens count whole seconds).
   */
  deny(userId: string, sessionId?: string): void;
  close(): Promise<void>;
}

export async function startTestIssuer(
  issuer = 'shopstack-users',
  audience = 'shopstack',
): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = 'test-issuer-key';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const denials: TokenDenial[] = [];
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const url = new URL(req.url ?? '/', 'http://issuer');
    if (url.pathname === TOKEN_DENIALS_PATH) {
      // The cursor is the number of denials already read.
      const after = Number(url.searchParams.get('after') ?? 0);
      const feed: TokenDenialsFeed = { cursor: String(denials.length), denials: denials.slice(after) };
      res.end(JSON.stringify(feed));
      return;
    }
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (userId, role = 'customer', options = {}) =>
      new SignJWT({ role, ...(options.sessionId ? { sid: options.sessionId } : {}) })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(userId)
        .setIssuer(options.issuer ?? issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '10m')
        .sign(privateKey),
    deny(userId, sessionId) {
      const now = Date.now();
      denials.push({
        subject: userId,
        sessionId: sessionId ?? null,
        issuedBefore: new Date(now + 1000).toISOString(),
        expiresAt: new Date(now + 15 * 60_000).toISOString(),
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
