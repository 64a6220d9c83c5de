// The signed-in user's own sessions: the list (where and when each began, which is this one) and
// signing one out, the way a sign-out on that device would (the refresh token dies at once, its
// access tokens are refused everywhere through the deny list). Another user's session is "not
// found", never "forbidden", so ids cannot be probed.
import { AppError, type AuthenticatedUser, withTransaction } from '@shopstack/kit';
import { recordAudit } from '../adapters/audit-log.js';
import { familyOwner, listOpenFamilies, type OpenSession } from '../adapters/sessions-repository.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { revokeSession } from './sessions.js';

/** More than anyone signs in on; a longer list is cut, newest use first. */
const MAX_LISTED_SESSIONS = 100;

export async function ownSessions(
  deps: UsersDeps,
  auth: AuthenticatedUser,
): Promise<(OpenSession & { current: boolean })[]> {
  const sessions = await listOpenFamilies(deps.pool, auth.id, MAX_LISTED_SESSIONS);
  return sessions.map((session) => ({ ...session, current: session.id === auth.sessionId }));
}

/** Ends one of the user's sessions; one already ended is ended (no error, nothing recorded). */
export async function signOutSession(
  deps: UsersDeps,
  auth: AuthenticatedUser,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  await withTransaction(deps.pool, async (client) => {
    if ((await familyOwner(client, sessionId)) !== auth.id) {
      throw new AppError('not_found', 'session-not-found', 'you have no session with this id');
    }
    if (!(await revokeSession(client, deps, { userId: auth.id, sessionId }, 'logout'))) return;
    await recordAudit(client, {
      event: 'session.signed_out',
      subjectId: auth.id,
      ip: meta.ip,
      details: { sessionId, current: sessionId === auth.sessionId },
    });
  });
}
