// What an admin does to an account: confirm its email by hand, block / unblock, sign it out
// everywhere. users carries each out (its own use cases, over gRPC) and audits it with the admin's
// id and the reason; repeating one changes nothing.
import { ask } from '../adapters/owners.js';
import type { BackofficeDeps } from './deps.js';
import { userView } from './views.js';

export const USER_ACTIONS = ['confirm-email', 'block', 'unblock'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export interface UserActionCommand {
  userId: string;
  actorId: string;
  reason: string;
}

/** users' refusals: an admin never acts on their own account. */
const REFUSALS = { PERMISSION_DENIED: 'cannot-target-self', NOT_FOUND: 'user-not-found' } as const;

export async function actOnUser(deps: BackofficeDeps, action: UserAction, command: UserActionCommand) {
  const users = deps.owners.client('users');
  const call = {
    'confirm-email': () => users.confirmEmail(command),
    block: () => users.blockUser(command),
    unblock: () => users.unblockUser(command),
  }[action];
  const { user } = await ask('users', call(), REFUSALS);
  return userView(user!);
}

export function signOutEverywhere(deps: BackofficeDeps, command: UserActionCommand) {
  return ask('users', deps.owners.client('users').signOutEverywhere(command), REFUSALS);
}
