// A real token issuer for tests of services other than users: an ES256 key pair, its JWKS served over
// HTTP, and tokens signed for the issuer and audience the services expect. The service under test
// fetches the JWKS and verifies the tokens exactly as in production.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestIssuer {
  jwksUrl: string;
  token(userId: string, role?: string, options?: { issuer?: string; expiresIn?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(
  issuer = 'shopstack-users',
  audience = 'shopstack',
): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = 'test-issuer-key';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (userId, role = 'customer', options = {}) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(userId)
        .setIssuer(options.issuer ?? issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '10m')
        .sign(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
