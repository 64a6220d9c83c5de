// Public identity routes: register, verify email, sign in (and second step), refresh, sign out,
// password reset, and the JWKS.
import type { HttpRoutes } from '@shopstack/kit';
import type { Context } from 'koa';
import type { RequestMeta, UsersDeps } from '../../app/deps.js';
import { completeLogin, login } from '../../app/login.js';
import { requestPasswordReset, resetPassword } from '../../app/password.js';
import { logout, refreshSession } from '../../app/refresh.js';
import { register, verifyEmail } from '../../app/register.js';
import {
  LoginBody,
  LoginView,
  RefreshBody,
  RegisterBody,
  ResetConfirmBody,
  ResetRequestBody,
  SecondFactorBody,
  TokenPairView,
  UserView,
  VerifyEmailBody,
} from './schemas.js';

export const requestMeta = (ctx: Context): RequestMeta => ({
  ip: ctx.ip,
  // Bounded: it is stored with the session and shown back, never interpreted.
  userAgent: ctx.get('user-agent').slice(0, 300) || undefined,
});

// Tokens must not be cached by browsers or proxies.
const noStore = { 'Cache-Control': 'no-store' };

export function addAuthRoutes(routes: HttpRoutes, deps: UsersDeps): void {
  routes.post(
    '/api/users/register',
    {
      summary: 'Create an account (role customer); a verification token goes out by event',
      tags: ['identity'],
      body: RegisterBody,
      responses: {
        201: { description: 'Registered', schema: UserView },
        409: { description: 'Email taken' },
      },
    },
    async ({ body, ctx }) => ({ status: 201, body: await register(deps, body, requestMeta(ctx)) }),
  );

  routes.post(
    '/api/users/verify-email',
    {
      summary: 'Confirm the email address with the emailed token',
      tags: ['identity'],
      body: VerifyEmailBody,
      responses: { 200: { description: 'Verified', schema: UserView } },
    },
    async ({ body, ctx }) => ({ body: await verifyEmail(deps, body.token, requestMeta(ctx)) }),
  );

  // The link in the verification email: opening it verifies. (The token proves the mailbox received
  // it, so a mail scanner that prefetches the link verifies nothing the owner would not.)
  routes.get(
    '/api/users/verify-email',
    {
      summary: 'Confirm the email address by following the emailed link',
      tags: ['identity'],
      query: VerifyEmailBody,
      responses: { 200: { description: 'Verified', schema: UserView } },
    },
    async ({ query, ctx }) => ({ body: await verifyEmail(deps, query.token, requestMeta(ctx)) }),
  );

  routes.post(
    '/api/users/login',
    {
      summary: 'Sign in; answers tokens, or a challenge when two-factor sign-in is on',
      tags: ['identity'],
      body: LoginBody,
      responses: {
        200: { description: 'Tokens or second-factor challenge', schema: LoginView },
        401: { description: 'Wrong email or password (indistinguishable)' },
        429: { description: 'Locked after repeated failures (Retry-After)' },
      },
    },
    async ({ body, ctx }) => ({ body: await login(deps, body, requestMeta(ctx)), headers: noStore }),
  );

  routes.post(
    '/api/users/login/second-factor',
    {
      summary: 'Second sign-in step: TOTP code or recovery code',
      tags: ['identity'],
      body: SecondFactorBody,
      responses: { 200: { description: 'Tokens', schema: TokenPairView } },
    },
    async ({ body, ctx }) => ({ body: await completeLogin(deps, body, requestMeta(ctx)), headers: noStore }),
  );

  routes.post(
    '/api/users/token/refresh',
    {
      summary: 'Rotate the refresh token; a reused token revokes its whole session',
      tags: ['identity'],
      body: RefreshBody,
      responses: { 200: { description: 'New tokens', schema: TokenPairView } },
    },
    async ({ body, ctx }) => ({
      body: await refreshSession(deps, body.refreshToken, requestMeta(ctx)),
      headers: noStore,
    }),
  );

  routes.post(
    '/api/users/logout',
    {
      summary: 'End the session the refresh token belongs to',
      tags: ['identity'],
      body: RefreshBody,
      responses: { 204: { description: 'Signed out' } },
    },
    async ({ body, ctx }) => {
      await logout(deps, body.refreshToken, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.post(
    '/api/users/password-reset/request',
    {
      summary: 'Send a reset token by event if the account exists (always 202)',
      tags: ['identity'],
      body: ResetRequestBody,
      responses: { 202: { description: 'Accepted' } },
    },
    async ({ body, ctx }) => {
      await requestPasswordReset(deps, body.email, requestMeta(ctx));
      return { status: 202, body: { message: 'if the account exists, a reset token is on its way' } };
    },
  );

  routes.post(
    '/api/users/password-reset/confirm',
    {
      summary: 'Set a new password with a reset token; ends every session',
      tags: ['identity'],
      body: ResetConfirmBody,
      responses: { 204: { description: 'Password set' } },
    },
    async ({ body, ctx }) => {
      await resetPassword(deps, body, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.get(
    '/.well-known/jwks.json',
    {
      summary: 'Public keys that verify access tokens',
      tags: ['identity'],
      responses: { 200: { description: 'JWKS' } },
    },
    async () => ({ body: await deps.keys.jwks(), headers: { 'Cache-Control': 'public, max-age=60' } }),
  );
}
