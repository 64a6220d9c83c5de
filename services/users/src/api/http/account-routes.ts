// The signed-in user's own account: profile, password, two-factor sign-in.
import type { HttpRoutes } from '@shopstack/kit';
import type { UsersDeps } from '../../app/deps.js';
import { ownSessions, signOutSession } from '../../app/own-sessions.js';
import { changePassword } from '../../app/password.js';
import { updateProfile } from '../../app/profile.js';
import { currentAccount, profileFor } from '../../app/queries.js';
import { confirmTwoFactorEnrollment, disableTwoFactor, enrollTwoFactor } from '../../app/two-factor.js';
import { toUserView } from '../../domain/user.js';
import { requestMeta } from './auth-routes.js';
import {
  ChangePasswordBody,
  DisableTwoFactorBody,
  SessionIdParams,
  SessionListView,
  TotpCodeBody,
  UpdateProfileBody,
  UserIdParams,
  UserView,
} from './schemas.js';

export function addAccountRoutes(routes: HttpRoutes, deps: UsersDeps): void {
  routes.get(
    '/api/users/me',
    {
      summary: 'The signed-in user',
      tags: ['account'],
      auth: true,
      responses: { 200: { description: 'Profile', schema: UserView } },
    },
    async ({ user }) => ({ body: toUserView(await currentAccount(deps, user)) }),
  );

  routes.patch(
    '/api/users/me',
    {
      summary: 'Update your own profile (phone number)',
      tags: ['account'],
      auth: true,
      body: UpdateProfileBody,
      responses: { 200: { description: 'Profile', schema: UserView } },
    },
    async ({ user, body, ctx }) => {
      const account = await currentAccount(deps, user);
      return { body: await updateProfile(deps, account.id, body, requestMeta(ctx)) };
    },
  );

  routes.post(
    '/api/users/me/password',
    {
      summary: 'Change the password (needs the current one); ends every session',
      tags: ['account'],
      auth: true,
      body: ChangePasswordBody,
      responses: { 204: { description: 'Changed' } },
    },
    async ({ user, body, ctx }) => {
      const account = await currentAccount(deps, user);
      await changePassword(deps, account.id, body, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.post(
    '/api/users/me/two-factor/enroll',
    {
      summary: 'Start TOTP enrolment: returns the secret and an otpauth:// URL (shown once)',
      tags: ['account'],
      auth: true,
      responses: { 200: { description: 'Secret' } },
    },
    async ({ user }) => {
      const account = await currentAccount(deps, user);
      return { body: await enrollTwoFactor(deps, account.id), headers: { 'Cache-Control': 'no-store' } };
    },
  );

  routes.post(
    '/api/users/me/two-factor/confirm',
    {
      summary: 'Turn two-factor sign-in on with a first code; returns recovery codes (shown once)',
      tags: ['account'],
      auth: true,
      body: TotpCodeBody,
      responses: { 200: { description: 'Recovery codes' } },
    },
    async ({ user, body, ctx }) => {
      const account = await currentAccount(deps, user);
      return {
        body: await confirmTwoFactorEnrollment(deps, account.id, body.code, requestMeta(ctx)),
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  );

  routes.post(
    '/api/users/me/two-factor/disable',
    {
      summary: 'Turn two-factor sign-in off (password plus a TOTP or recovery code)',
      tags: ['account'],
      auth: true,
      body: DisableTwoFactorBody,
      responses: { 204: { description: 'Off' } },
    },
    async ({ user, body, ctx }) => {
      const account = await currentAccount(deps, user);
      await disableTwoFactor(deps, account.id, body, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.get(
    '/api/users/me/sessions',
    {
      summary: 'Your sessions that are still open (one per sign-in), the most recently used first',
      tags: ['account'],
      auth: true,
      responses: { 200: { description: 'Sessions', schema: SessionListView } },
    },
    async ({ user }) => {
      await currentAccount(deps, user);
      const sessions = await ownSessions(deps, user);
      return {
        body: {
          sessions: sessions.map((s) => ({
            ...s,
            createdAt: s.createdAt.toISOString(),
            lastRefreshedAt: s.lastRefreshedAt.toISOString(),
            expiresAt: s.expiresAt.toISOString(),
          })),
        },
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  );

  routes.delete(
    '/api/users/me/sessions/:id',
    {
      summary:
        'Sign one of your sessions out: its refresh token stops at once, its access tokens within seconds everywhere',
      tags: ['account'],
      auth: true,
      params: SessionIdParams,
      responses: {
        204: { description: 'Signed out (or it had ended already)' },
        404: { description: 'You have no session with this id' },
      },
    },
    async ({ user, params, ctx }) => {
      await currentAccount(deps, user);
      await signOutSession(deps, user, params.id, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.get(
    '/api/users/:id',
    {
      summary: 'A user profile: your own, or anyone for support and admin',
      tags: ['account'],
      auth: true,
      params: UserIdParams,
      responses: { 200: { description: 'Profile', schema: UserView } },
    },
    async ({ user, params }) => {
      await currentAccount(deps, user);
      return { body: toUserView(await profileFor(deps, user, params.id)) };
    },
  );
}
