// What an admin does to an account (app/user-actions.ts): confirm its email by hand, block /
// unblock, sign it out everywhere; audited by users with the admin's id and the reason.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { BackofficeDeps } from '../../app/deps.js';
import { actOnUser, signOutEverywhere, type UserAction } from '../../app/user-actions.js';
import { BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { IdParams, ReasonBody } from './schemas.js';

const UserSchema = z.object({ id: z.string(), blocked: z.boolean(), emailVerified: z.boolean() }).loose();

const SUMMARIES: Record<UserAction, string> = {
  'confirm-email': "Confirm the user's email by hand",
  block: 'Block the user: no sign-in, no refresh, every session revoked',
  unblock: 'Lift a block',
};

export function addUserRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  for (const [action, summary] of Object.entries(SUMMARIES) as [UserAction, string][]) {
    routes.post(
      `/api/backoffice/users/:id/${action}`,
      {
        summary: `${summary} (audited with the admin and the reason; repeating it changes nothing)`,
        tags: ['users'],
        auth: BACKOFFICE_WRITERS,
        params: IdParams,
        body: ReasonBody,
        responses: {
          200: { description: 'The user after the action', schema: UserSchema },
          403: { description: 'Not an admin, or the admin’s own account' },
          404: { description: 'No such user' },
        },
      },
      async ({ params, body, user }) => ({
        body: await actOnUser(deps, action, { userId: params.id, actorId: user!.id, reason: body.reason }),
      }),
    );
  }

  routes.post(
    '/api/backoffice/users/:id/sign-out',
    {
      summary: 'Force sign-out: every session of the user is revoked and its tokens refused everywhere',
      tags: ['users'],
      auth: BACKOFFICE_WRITERS,
      params: IdParams,
      body: ReasonBody,
      responses: {
        200: {
          description: 'How many sessions were still open',
          schema: z.object({ sessionsRevoked: z.number().int() }),
        },
        403: { description: 'Not an admin, or the admin’s own account' },
        404: { description: 'No such user' },
      },
    },
    async ({ params, body, user }) => ({
      body: await signOutEverywhere(deps, { userId: params.id, actorId: user!.id, reason: body.reason }),
    }),
  );
}
