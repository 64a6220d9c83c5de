// Verifies access tokens issued by the users service. Every service does this itself (Envoy checks
// too, but a service must never be open when reached without Envoy). Keys come from the JWKS URL,
// cached and refreshed when an unknown `kid` shows up (key rotation).
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { AppError } from '../errors.js';

export interface AuthenticatedUser {
  /** The user id (`sub`). */
  id: string;
  role: string;
  /** Refresh-token family the token was issued under (`sid`), when present. */
  sessionId: string | undefined;
  claims: JWTPayload;
}

export interface JwtVerifierOptions {
  /** Where the signing keys are published, e.g. http://users:8080/.well-known/jwks.json. */
  jwksUrl?: string | URL;
  /** Alternatively, a key resolver (the users service resolves its own keys from its database). */
  keys?: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Asymmetric algorithms only: `none` and HMAC are never accepted. */
  algorithms?: ('EdDSA' | 'ES256')[];
}

export interface JwtVerifier {
  verify(token: string): Promise<AuthenticatedUser>;
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const keys =
    options.keys ??
    (options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 5_000 })
      : undefined);
  if (!keys) throw new Error('createJwtVerifier needs jwksUrl or keys');
  const algorithms = options.algorithms ?? ['EdDSA', 'ES256'];

  return {
    async verify(token) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: 5,
        });
        // Tokens name their key: a token without kid could only be matched by guessing.
        if (!protectedHeader.kid) throw invalidToken();
        if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') throw invalidToken();
        return {
          id: payload.sub,
          role: payload.role,
          sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
          claims: payload,
        };
      } catch (error) {
        if (error instanceof AppError) throw error;
        // Any verification failure looks the same from outside; the reason stays in our logs only.
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw invalidToken();
        throw error;
      }
    },
  };
}

function invalidToken() {
  return new AppError('unauthenticated', 'invalid-token', 'the access token is missing, invalid or expired');
}
