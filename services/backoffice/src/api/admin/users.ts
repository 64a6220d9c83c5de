// What an admin does to an account: confirm its email by hand, block / unblock, sign it out
// everywhere. Each goes to users over gRPC with the admin's id and the reason, and is audited there.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import { ask } from '../../adapters/owners.js';
import type { BackofficeDeps } from '../../app/deps.js';
import { userView } from '../../app/views.js';
import { BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { IdParams, ReasonBody } from './schemas.js';

const SELF = { PERMISSION_DENIED: 'cannot-target-self', NOT_FOUND: 'user-not-found' } as const;
const UserSchema = z.object({ id: z.string(), blocked: z.boolean(), emailVerified: z.boolean() }).loose();

export function addUserRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  const users = () => deps.owners.client('users');
  const actions = {
    'confirm-email': {
      summary: "Confirm the user's email by hand",
      run: (request: Action) => users().confirmEmail(request),
    },
    block: {
      summary: 'Block the user: no sign-in, no refresh, every session revoked',
      run: (request: Action) => users().blockUser(request),
    },
    unblock: { summary: 'Lift a block', run: (request: Action) => users().unblockUser(request) },
  } as const;
  for (const [path, action] of Object.entries(actions)) {
    routes.post(
      `/api/backoffice/users/:id/${path}`,
      {
        summary: `${action.summary} (audited with the admin and the reason; repeating it changes nothing)`,
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
      async ({ params, body, user }) => {
        const { user: after } = await ask(
          'users',
          action.run({ userId: params.id, actorId: user!.id, reason: body.reason }),
          SELF,
        );
        return { body: userView(after!) };
      },
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
      body: await ask(
        'users',
        users().signOutEverywhere({ userId: params.id, actorId: user!.id, reason: body.reason }),
        SELF,
      ),
    }),
  );
}

interface Action {
  userId: string;
  actorId: string;
  reason: string;
}
