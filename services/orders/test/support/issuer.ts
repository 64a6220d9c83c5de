// A real issuer for tests: an ES256 key pair, its JWKS served over HTTP, tokens signed with the issuer
// and audience the services expect. They verify them exactly as in production.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestIssuer {
  jwksUrl: string;
  token(userId: string, role?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(
  issuer = 'shopstack-users',
  audience = 'shopstack',
): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (userId, role = 'user') =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
