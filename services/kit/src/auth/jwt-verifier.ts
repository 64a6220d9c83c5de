// Verifies access tokens issued by the users service. Every service does this itself (Envoy checks
// too, but a service must never be open when reached without Envoy). Keys come from the JWKS URL,
// cached and refreshed when an unknown `kid` shows up (key rotation). A valid token is then checked
// against the deny list (token-denials.ts), so a revoked session or a blocked user stops at once.
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { AppError } from '../errors.js';
import type { TokenDenialList } from './token-denials.js';

export interface AuthenticatedUser {
  /** The user id (`sub`). */
  id: string;
  role: string;
  /** Refresh-token family (or API key) the token was issued under (`sid`), when present. */
  sessionId: string | undefined;
  /** Set only for a token exchanged for an API key: the key's scopes (see api-key-scopes.ts). */
  scopes: readonly string[] | undefined;
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
  /** Revoked sessions and users whose tokens are refused before they expire. */
  denials?: TokenDenialList;
}

export interface JwtVerifier {
  verify(token: string): Promise<AuthenticatedUser>;
}

/** Clock skew allowed between the signer and a verifier, both ways. */
export const CLOCK_TOLERANCE_SECONDS = 5;

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
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        // Tokens name their key: a token without kid could only be matched by guessing.
        if (!protectedHeader.kid) throw invalidToken();
        if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') throw invalidToken();
        const sessionId = typeof payload.sid === 'string' ? payload.sid : undefined;
        await options.denials?.check({ subject: payload.sub, sessionId, issuedAt: payload.iat ?? 0 });
        return {
          id: payload.sub,
          role: payload.role,
          sessionId,
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : undefined,
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
