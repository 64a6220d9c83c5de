// Koa middleware: `Authorization: Bearer <jwt>` → ctx.state.user, plus role checks.
import type { Context, Next } from 'koa';
import { AppError } from '../errors.js';
import type { AuthenticatedUser, JwtVerifier } from './jwt-verifier.js';

export async function authenticate(ctx: Context, verifier: JwtVerifier): Promise<AuthenticatedUser> {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)$/i.exec(header);
  if (!match?.[1]) {
    ctx.set('WWW-Authenticate', 'Bearer');
    throw new AppError('unauthenticated', 'invalid-token', 'the access token is missing, invalid or expired');
  }
  const user = await verifier.verify(match[1]);
  ctx.state.user = user;
  return user;
}

/**
 * A token exchanged for an API key passes only where the route names one of its scopes; a user's own
 * token (no scopes) is not affected.
 */
export function requireApiKeyScope(user: AuthenticatedUser, scope: string | undefined): void {
  if (user.scopes === undefined) return;
  if (scope === undefined || !user.scopes.includes(scope)) {
    throw new AppError(
      'forbidden',
      'api-key-not-allowed',
      scope === undefined ? 'API keys are not accepted here' : `this API key lacks the scope ${scope}`,
    );
  }
}

export function requireRole(user: AuthenticatedUser, roles: readonly string[]): void {
  if (roles.length > 0 && !roles.includes(user.role)) {
    throw new AppError('forbidden', 'forbidden', 'your role does not allow this operation');
  }
}

/** For plain Koa routers: `router.get('/x', requireAuth(verifier, ['admin']), handler)`. */
export function requireAuth(verifier: JwtVerifier, roles: readonly string[] = []) {
  return async (ctx: Context, next: Next) => {
    const user = await authenticate(ctx, verifier);
    requireApiKeyScope(user, undefined);
    requireRole(user, roles);
    await next();
  };
}
