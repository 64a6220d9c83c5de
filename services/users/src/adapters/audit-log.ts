// The security audit log: append-only from the application's point of view.
import type { Queryable } from '@shopstack/kit';

export type AuditEvent =
  | 'user.registered'
  | 'email.verified'
  | 'email.confirmed_by_admin'
  | 'sessions.revoked_by_admin'
  | 'profile.updated'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'token.refreshed'
  | 'token.reuse_detected'
  | 'logout'
  | 'session.signed_out'
  | 'password.changed'
  | 'password.reset_requested'
  | 'password.reset'
  | 'two_factor.enabled'
  | 'two_factor.disabled'
  | 'two_factor.failed'
  | 'role.changed'
  | 'user.blocked'
  | 'user.unblocked'
  | 'user.deleted'
  | 'signing_key.rotated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.refused';

export interface AuditEntry {
  event: AuditEvent;
  actorId?: string | null;
  subjectId?: string | null;
  email?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'details'>> {
  id: string;
  occurredAt: string;
  details: Record<string, unknown>;
}

export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    'insert into audit_log (event, actor_id, subject_id, email, ip, details) values ($1, $2, $3, $4, $5, $6)',
    [
      entry.event,
      entry.actorId ?? null,
      entry.subjectId ?? null,
      entry.email ?? null,
      entry.ip ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

export interface AuditQuery {
  userId?: string | undefined;
  event?: string | undefined;
  /** Entries older than this id (pagination, newest first). */
  before?: string | undefined;
  limit: number;
}

export async function queryAudit(db: Queryable, query: AuditQuery): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.userId) where.push(`(subject_id = ${param(query.userId)} or actor_id = $${params.length})`);
  if (query.event) where.push(`event = ${param(query.event)}`);
  if (query.before) where.push(`id < ${param(query.before)}`);
  const { rows } = await db.query(
    `select id, occurred_at, event, actor_id, subject_id, email, ip, details from audit_log
      ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit ${param(query.limit)}`,
    params,
  );
  return rows.map((row) => ({
    id: String(row.id),
    occurredAt: (row.occurred_at as Date).toISOString(),
    event: row.event,
    actorId: row.actor_id,
    subjectId: row.subject_id,
    email: row.email,
    ip: row.ip,
    details: row.details,
  }));
}

export interface SignInFailures {
  ip: string;
  failures: number;
  emails: number;
  lastFailedAt: Date;
}

/** Failed sign-ins per client address over the last `windowSeconds`, most first (at most 100). */
export async function signInFailuresByIp(
  db: Queryable,
  windowSeconds: number,
  minFailures: number,
): Promise<SignInFailures[]> {
  const { rows } = await db.query<SignInFailures>(
    `select ip, count(*)::int as failures, count(distinct email)::int as emails,
            max(occurred_at) as "lastFailedAt"
       from audit_log
      where event in ('login.failed', 'two_factor.failed') and ip is not null
        and occurred_at > now() - make_interval(secs => $1)
      group by ip having count(*) >= $2
      order by failures desc, ip limit 100`,
    // The events as literals, the same as the partial index's (audit_log_sign_in_failures), so the
    // planner can use it.
    [windowSeconds, minFailures],
  );
  return rows;
}
