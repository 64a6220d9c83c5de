// The back office's part of shop.users.v1.UsersService: sessions and audit trail for the one-customer
// view, and the user actions (confirm email, block / unblock, sign out everywhere). The back office
// checked the admin's role; the acting admin's id comes with each call.
import { parseInput } from '@shopstack/kit';
import type { UsersServiceImplementation } from '@shopstack/proto/shop/users/v1/users';
import { z } from 'zod';
import { blockUser, unblockUser } from '../../app/admin.js';
import {
  auditTrailOf,
  confirmEmailByAdmin,
  sessionsOf,
  signInFailuresPerIp,
  signOutEverywhere,
} from '../../app/back-office.js';
import type { UsersDeps } from '../../app/deps.js';
import { getUser } from '../../app/queries.js';
import { toUserMessage } from './users-grpc.js';

type BackOfficeMethods = Pick<
  UsersServiceImplementation,
  | 'listSessions'
  | 'getAuditTrail'
  | 'listSignInFailuresByIp'
  | 'confirmEmail'
  | 'blockUser'
  | 'unblockUser'
  | 'signOutEverywhere'
>;

const userId = z.uuid().transform((id) => id.toLowerCase());
const action = z.object({ userId, actorId: z.uuid(), reason: z.string().trim().min(3).max(500) });
const trail = z.object({
  userId,
  limit: z.number().int().min(0).max(200),
  beforeId: z.union([z.literal(''), z.string().regex(/^\d{1,19}$/, 'an audit entry id')]),
});
const failuresQuery = z.object({
  windowSeconds: z.number().int().min(60).max(86_400),
  minFailures: z.number().int().min(1).max(1_000_000),
});
const iso = (at: Date | null) => at?.toISOString() ?? '';
/** Calls over gRPC come from the back office, not from the admin's browser: no client IP to record. */
const meta = {};

export function backOfficeGrpcMethods(deps: UsersDeps): BackOfficeMethods {
  const parse = <S extends z.ZodType>(schema: S, request: unknown) => parseInput(schema, request, 'body');
  const userMessage = async (id: string) => toUserMessage(await getUser(deps, id));
  return {
    async listSessions(request) {
      const input = parse(z.object({ userId }), request);
      const sessions = await sessionsOf(deps, input.userId);
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastRefreshedAt: iso(s.lastRefreshedAt),
          revokedAt: iso(s.revokedAt),
          revokedReason: s.revokedReason ?? '',
        })),
      };
    },
    async getAuditTrail(request) {
      const input = parse(trail, request);
      const entries = await auditTrailOf(deps, input.userId, input.limit || 50, input.beforeId || undefined);
      return {
        entries: entries.map((e) => ({
          id: e.id,
          occurredAt: e.occurredAt,
          event: e.event,
          actorId: e.actorId ?? '',
          subjectId: e.subjectId ?? '',
          ip: e.ip ?? '',
          detailsJson: JSON.stringify(e.details),
        })),
      };
    },
    async listSignInFailuresByIp(request) {
      const input = parse(failuresQuery, request);
      const ips = await signInFailuresPerIp(deps, input.windowSeconds, input.minFailures);
      return { ips: ips.map((ip) => ({ ...ip, lastFailedAt: ip.lastFailedAt.toISOString() })) };
    },
    async confirmEmail(request) {
      const input = parse(action, request);
      const user = await confirmEmailByAdmin(deps, { id: input.actorId }, input.userId, input.reason, meta);
      return { user: toUserMessage(user) };
    },
    async blockUser(request) {
      const input = parse(action, request);
      await blockUser(deps, { id: input.actorId }, input.userId, input.reason, meta);
      return { user: await userMessage(input.userId) };
    },
    async unblockUser(request) {
      const input = parse(action, request);
      await unblockUser(deps, { id: input.actorId }, input.userId, meta, input.reason);
      return { user: await userMessage(input.userId) };
    },
    async signOutEverywhere(request) {
      const input = parse(action, request);
      const revoked = await signOutEverywhere(deps, { id: input.actorId }, input.userId, input.reason, meta);
      return { sessionsRevoked: revoked };
    },
  };
}
