// The account as the rest of the code sees it, and its public view.
import type { Role } from './roles.js';

export interface User {
  id: string;
  email: string;
  phone: string | null;
  role: Role;
  emailVerifiedAt: Date | null;
  blockedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  twoFactorEnabled: boolean;
}

export interface UserView {
  id: string;
  email: string;
  phone: string | null;
  role: Role;
  emailVerified: boolean;
  blocked: boolean;
  deleted: boolean;
  twoFactorEnabled: boolean;
  createdAt: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    phone: user.phone,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null,
    blocked: user.blockedAt !== null,
    deleted: user.deletedAt !== null,
    twoFactorEnabled: user.twoFactorEnabled,
    createdAt: user.createdAt.toISOString(),
  };
}

/** May this account sign in or refresh? */
export function isActive(user: Pick<User, 'blockedAt' | 'deletedAt'>): boolean {
  return user.blockedAt === null && user.deletedAt === null;
}
