// gRPC for other services: GetUser and GetUsersByIds (read-only, so clients may retry them).
import { AppError, type GrpcCallers } from '@shopstack/kit';
import {
  type GetUserRequest,
  type GetUsersByIdsRequest,
  Role,
  type User as UserMessage,
  type UsersServiceDefinition,
  type UsersServiceImplementation,
} from '@shopstack/proto/shop/users/v1/users';
import type { UsersDeps } from '../../app/deps.js';
import { getUser, getUsers } from '../../app/queries.js';
import type { User } from '../../domain/user.js';
import { backOfficeGrpcMethods } from './back-office-grpc.js';

const MAX_IDS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const roleToProto = {
  customer: Role.ROLE_CUSTOMER,
  support: Role.ROLE_SUPPORT,
  admin: Role.ROLE_ADMIN,
} as const;

/** Who may call what: notifications looks up recipients; the back office's user actions and views. */
export const usersGrpcCallers = {
  getUser: ['notifications', 'backoffice'],
  getUsersByIds: ['notifications', 'backoffice'],
  listSessions: ['backoffice'],
  getAuditTrail: ['backoffice'],
  confirmEmail: ['backoffice'],
  blockUser: ['backoffice'],
  unblockUser: ['backoffice'],
  signOutEverywhere: ['backoffice'],
  // The back office's anomaly rule on failed sign-ins per client address.
  listSignInFailuresByIp: ['backoffice'],
} as const satisfies GrpcCallers<typeof UsersServiceDefinition>;

export function toUserMessage(user: User): UserMessage {
  return {
    id: user.id,
    email: user.email,
    phone: user.phone ?? '',
    role: roleToProto[user.role],
    emailVerified: user.emailVerifiedAt !== null,
    blocked: user.blockedAt !== null,
    deleted: user.deletedAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

function requireUuid(id: string, field: string) {
  if (!UUID.test(id))
    throw new AppError('invalid', 'validation', `${field} must be a UUID`, {
      fields: [{ field, message: 'must be a UUID' }],
    });
}

export function usersGrpcService(deps: UsersDeps): UsersServiceImplementation {
  return {
    ...backOfficeGrpcMethods(deps),
    async getUser(request: GetUserRequest) {
      requireUuid(request.id, 'id');
      return { user: toUserMessage(await getUser(deps, request.id)) };
    },
    async getUsersByIds(request: GetUsersByIdsRequest) {
      if (request.ids.length > MAX_IDS)
        throw new AppError('invalid', 'validation', `at most ${MAX_IDS} ids per call`);
      for (const id of request.ids) requireUuid(id, 'ids');
      return { users: (await getUsers(deps, request.ids)).map(toUserMessage) };
    },
  };
}
