// The users table. Queries take a Queryable so they run inside the caller's transaction.
import type { Queryable } from '@shopstack/kit';
import type { Role } from '../domain/roles.js';
import type { User } from '../domain/user.js';

const columns = `u.id, u.email, u.phone, u.role, u.email_verified_at, u.blocked_at, u.deleted_at, u.created_at,
  exists (select 1 from two_factor t where t.user_id = u.id and t.confirmed_at is not null) as two_factor_enabled`;

interface UserRow {
  id: string;
  email: string;
  phone: string | null;
  role: Role;
  email_verified_at: Date | null;
  blocked_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  two_factor_enabled: boolean;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  phone: row.phone,
  role: row.role,
  emailVerifiedAt: row.email_verified_at,
  blockedAt: row.blocked_at,
  deletedAt: row.deleted_at,
  createdAt: row.created_at,
  twoFactorEnabled: row.two_factor_enabled,
});

export async function insertUser(
  db: Queryable,
  user: { id: string; email: string; phone: string | null; passwordHash: string; role: Role },
): Promise<User> {
  await db.query('insert into users (id, email, phone, password_hash, role) values ($1, $2, $3, $4, $5)', [
    user.id,
    user.email,
    user.phone,
    user.passwordHash,
    user.role,
  ]);
  return (await findUserById(db, user.id))!;
}

export async function findUserById(db: Queryable, id: string, forUpdate = false): Promise<User | undefined> {
  const lock = forUpdate ? ' for update of u' : '';
  const { rows } = await db.query<UserRow>(`select ${columns} from users u where u.id = $1${lock}`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function findUsersByIds(db: Queryable, ids: string[]): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`select ${columns} from users u where u.id = any($1::uuid[])`, [
    ids,
  ]);
  return rows.map(toUser);
}

/** The account and its password hash, for sign-in. */
export async function findCredentialsByEmail(
  db: Queryable,
  email: string,
): Promise<{ user: User; passwordHash: string } | undefined> {
  const { rows } = await db.query<UserRow & { password_hash: string }>(
    `select ${columns}, u.password_hash from users u where u.email = $1`,
    [email],
  );
  return rows[0] && { user: toUser(rows[0]), passwordHash: rows[0].password_hash };
}

export async function findPasswordHash(db: Queryable, userId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ password_hash: string }>(
    'select password_hash from users where id = $1',
    [userId],
  );
  return rows[0]?.password_hash;
}

export async function setPasswordHash(
  db: Queryable,
  userId: string,
  passwordHash: string,
  options: { keepChangedAt?: boolean } = {},
): Promise<void> {
  // An upgrade of the hash parameters is not a password change.
  await db.query(
    options.keepChangedAt
      ? 'update users set password_hash = $2 where id = $1'
      : 'update users set password_hash = $2, password_changed_at = now() where id = $1',
    [userId, passwordHash],
  );
}

export async function setPhone(db: Queryable, userId: string, phone: string | null): Promise<void> {
  await db.query('update users set phone = $2 where id = $1', [userId, phone]);
}

export async function markEmailVerified(db: Queryable, userId: string): Promise<void> {
  await db.query('update users set email_verified_at = coalesce(email_verified_at, now()) where id = $1', [
    userId,
  ]);
}

export async function setBlocked(
  db: Queryable,
  userId: string,
  blocked: boolean,
  reason?: string,
): Promise<void> {
  await db.query(
    blocked
      ? 'update users set blocked_at = now(), blocked_reason = $2 where id = $1'
      : 'update users set blocked_at = null, blocked_reason = null where id = $1',
    blocked ? [userId, reason ?? null] : [userId],
  );
}

export async function setRole(db: Queryable, userId: string, role: Role): Promise<void> {
  await db.query('update users set role = $2 where id = $1', [userId, role]);
}

/** Soft delete: the row stays (ids in other services keep resolving) but holds no personal data. */
export async function anonymizeUser(db: Queryable, userId: string, placeholderEmail: string): Promise<void> {
  await db.query(
    `update users set email = $2, phone = null, password_hash = '!', deleted_at = now(), email_verified_at = null
      where id = $1`,
    [userId, placeholderEmail],
  );
  await db.query('delete from two_factor where user_id = $1', [userId]);
  await db.query('delete from recovery_codes where user_id = $1', [userId]);
  await db.query('update audit_log set email = null where subject_id = $1', [userId]);
}

export interface UserSearch {
  query?: string | undefined;
  role?: Role | undefined;
  status?: 'active' | 'blocked' | 'deleted' | undefined;
  limit: number;
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: Date; id: string } | undefined;
}

export async function searchUsers(db: Queryable, search: UserSearch): Promise<User[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (search.query) {
    const pattern = `%${search.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(u.email ilike ${param(pattern)} or u.phone ilike ${param(pattern)})`);
  }
  if (search.role) where.push(`u.role = ${param(search.role)}`);
  if (search.status === 'active') where.push('u.blocked_at is null and u.deleted_at is null');
  if (search.status === 'blocked') where.push('u.blocked_at is not null and u.deleted_at is null');
  if (search.status === 'deleted') where.push('u.deleted_at is not null');
  if (search.after) {
    where.push(`(u.created_at, u.id) < (${param(search.after.createdAt)}, ${param(search.after.id)}::uuid)`);
  }
  const { rows } = await db.query<UserRow>(
    `select ${columns} from users u ${where.length ? `where ${where.join(' and ')}` : ''}
      order by u.created_at desc, u.id desc limit ${param(search.limit)}`,
    params,
  );
  return rows.map(toUser);
}

/** Locks a user's row until the transaction ends (serialises one user's changes to what they own). */
export async function lockUser(db: Queryable, userId: string): Promise<void> {
  await db.query('select 1 from users where id = $1 for update', [userId]);
}
