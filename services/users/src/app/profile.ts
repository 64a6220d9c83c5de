// Changes users make to their own profile.
import { withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { findUserById, setPhone } from '../adapters/users-repository.js';
import { toUserView, type UserView } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';

export async function updateProfile(
  deps: UsersDeps,
  userId: string,
  changes: { phone: string | null },
  meta: RequestMeta,
): Promise<UserView> {
  return withTransaction(deps.pool, async (client) => {
    await setPhone(client, userId, changes.phone);
    await recordAudit(client, { event: 'profile.updated', actorId: userId, subjectId: userId, ip: meta.ip });
    return toUserView((await findUserById(client, userId))!);
  });
}
