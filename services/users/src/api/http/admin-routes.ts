// Administration: users (admin) and the audit log (admin, support).
import { decodeCursor, type HttpRoutes } from '@shopstack/kit';
import {
  blockUser,
  changeRole,
  deleteUser,
  listUsers,
  readAudit,
  rotateSigningKey,
  UserPosition,
  unblockUser,
} from '../../app/admin.js';
import type { UsersDeps } from '../../app/deps.js';
import { currentAccount } from '../../app/queries.js';
import { AUDIT_READERS, USER_MANAGERS } from '../../domain/roles.js';
import { requestMeta } from './auth-routes.js';
import {
  AuditPageView,
  AuditQuery,
  BlockBody,
  RoleBody,
  UserIdParams,
  UserListQuery,
  UserPageView,
  UserView,
} from './schemas.js';

export function addAdminRoutes(routes: HttpRoutes, deps: UsersDeps): void {
  routes.get(
    '/api/users/admin/users',
    {
      summary: 'List and search users (newest first, cursor pagination)',
      tags: ['admin'],
      auth: USER_MANAGERS,
      query: UserListQuery,
      responses: { 200: { description: 'A page of users', schema: UserPageView } },
    },
    async ({ user, query }) => {
      await currentAccount(deps, user);
      const after = query.cursor ? decodeCursor(UserPosition, query.cursor) : undefined;
      return { body: await listUsers(deps, { ...query, after }) };
    },
  );

  routes.post(
    '/api/users/admin/users/:id/block',
    {
      summary: 'Block a user: no sign-in, no refresh, sessions revoked',
      tags: ['admin'],
      auth: USER_MANAGERS,
      params: UserIdParams,
      body: BlockBody,
      responses: { 200: { description: 'Blocked', schema: UserView } },
    },
    async ({ user, params, body, ctx }) => {
      const actor = await currentAccount(deps, user);
      return { body: await blockUser(deps, actor, params.id, body.reason, requestMeta(ctx)) };
    },
  );

  routes.post(
    '/api/users/admin/users/:id/unblock',
    {
      summary: 'Unblock a user',
      tags: ['admin'],
      auth: USER_MANAGERS,
      params: UserIdParams,
      responses: { 200: { description: 'Unblocked', schema: UserView } },
    },
    async ({ user, params, ctx }) => {
      const actor = await currentAccount(deps, user);
      return { body: await unblockUser(deps, actor, params.id, requestMeta(ctx)) };
    },
  );

  routes.put(
    '/api/users/admin/users/:id/role',
    {
      summary: "Change a user's role; their sessions end",
      tags: ['admin'],
      auth: USER_MANAGERS,
      params: UserIdParams,
      body: RoleBody,
      responses: { 200: { description: 'Changed', schema: UserView } },
    },
    async ({ user, params, body, ctx }) => {
      const actor = await currentAccount(deps, user);
      return { body: await changeRole(deps, actor, params.id, body.role, requestMeta(ctx)) };
    },
  );

  routes.delete(
    '/api/users/admin/users/:id',
    {
      summary: 'Delete a user (soft: the record stays, personal data is anonymized)',
      tags: ['admin'],
      auth: USER_MANAGERS,
      params: UserIdParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async ({ user, params, ctx }) => {
      const actor = await currentAccount(deps, user);
      await deleteUser(deps, actor, params.id, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.get(
    '/api/users/admin/audit',
    {
      summary: 'Security audit log, newest first',
      tags: ['admin'],
      auth: AUDIT_READERS,
      query: AuditQuery,
      responses: { 200: { description: 'Entries', schema: AuditPageView } },
    },
    async ({ user, query }) => {
      await currentAccount(deps, user);
      return { body: { entries: await readAudit(deps, query) } };
    },
  );

  routes.post(
    '/api/users/admin/signing-keys/rotate',
    {
      summary:
        'Publish a new signing key; it signs once the edge has fetched it (activatesAt), and the old one stays in the JWKS until its tokens expire',
      tags: ['admin'],
      auth: USER_MANAGERS,
      responses: { 200: { description: 'The new key id and when it starts signing' } },
    },
    async ({ user, ctx }) => {
      const actor = await currentAccount(deps, user);
      const { kid, activatesAt } = await rotateSigningKey(deps, actor, requestMeta(ctx));
      return { body: { kid, activatesAt: activatesAt.toISOString() } };
    },
  );
}
