// Unsubscribe links work without signing in, so the link itself carries a signed claim (a JWT, HS256,
// with jose): who, and what to switch off. A tampered or foreign token fails verification.
import { jwtVerify, SignJWT } from 'jose';
import { CATEGORIES, type UnsubscribeScope } from '../domain/preferences.js';

const AUDIENCE = 'shopstack-unsubscribe';
const ISSUER = 'shopstack-notifications';

export interface UnsubscribeTokens {
  sign(userId: string, scope: UnsubscribeScope): Promise<string>;
  /** The claim, or undefined when the token is not one of ours. */
  verify(token: string): Promise<{ userId: string; scope: UnsubscribeScope } | undefined>;
}

export function createUnsubscribeTokens(secret: string): UnsubscribeTokens {
  const key = new TextEncoder().encode(secret);
  return {
    sign: (userId, scope) =>
      new SignJWT({ scope })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        });
        const scope = payload.scope;
        if (typeof payload.sub !== 'string' || typeof scope !== 'string') return undefined;
        if (scope !== 'all_optional' && !(CATEGORIES as readonly string[]).includes(scope)) return undefined;
        return { userId: payload.sub, scope: scope as UnsubscribeScope };
      } catch {
        return undefined;
      }
    },
  };
}
