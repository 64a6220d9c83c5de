// Who may do what. Roles are a closed set; checks live here so handlers read as policy.

export const ROLES = ['customer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** List, search, block, unblock, change roles, delete. */
export const USER_MANAGERS: readonly Role[] = ['admin'];
/** Read the security audit log. */
export const AUDIT_READERS: readonly Role[] = ['admin', 'support'];
/** See another user's profile. */
export const PROFILE_READERS: readonly Role[] = ['admin', 'support'];

export function canReadProfile(actor: { id: string; role: string }, subjectId: string): boolean {
  return actor.id === subjectId || (PROFILE_READERS as readonly string[]).includes(actor.role);
}
