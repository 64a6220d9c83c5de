// The deny list's rows and the feed every service polls (see @shopstack/kit's token-denials.ts).
//
// The feed's cursor is a transaction id, not the row id: ids are taken when a row is inserted but
// become visible when its transaction commits, so a poller that read up to id 7 could miss a slower
// transaction's id 6. Instead each read returns the oldest transaction still running at that moment
// (the snapshot's xmin) and the next read asks for rows written by that transaction or later: every
// older one had finished, so its rows were seen. Rows read twice are harmless (a denial is a set entry).
import type { Queryable, TokenDenialsFeed } from '@shopstack/kit';

export interface NewDenial {
  userId: string;
  /** Sessions whose tokens are refused from now on. */
  sessionIds: readonly string[];
  /** Also refuse every token of the user issued until now, whatever its session. */
  everySession: boolean;
  reason: string;
  /** How long a token issued now could stay valid: the access-token lifetime plus clock skew. */
  liveSeconds: number;
}

/** Records one denial per session (and one for the user); `issued_before` is the insert time. */
export async function insertDenials(db: Queryable, denial: NewDenial): Promise<void> {
  const sessions: (string | null)[] = [...(denial.everySession ? [null] : []), ...denial.sessionIds];
  await db.query(
    `insert into token_denials (user_id, session_id, issued_before, expires_at, reason)
     select $1, s, clock_timestamp(), clock_timestamp() + make_interval(secs => $3), $4
       from unnest($2::uuid[]) as s`,
    [denial.userId, sessions, denial.liveSeconds, denial.reason],
  );
}

/** The live denials written since `after` (all of them without it). */
export async function readDenialsFeed(db: Queryable, after: string | undefined): Promise<TokenDenialsFeed> {
  const { rows } = await db.query<{
    xmin: string;
    user_id: string | null;
    session_id: string | null;
    issued_before: Date | null;
    expires_at: Date | null;
  }>(
    `with snapshot as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
     select snapshot.xmin::text as xmin, d.user_id, d.session_id, d.issued_before, d.expires_at
       from snapshot
       left join token_denials d on d.expires_at > now() and ($1::xid8 is null or d.txid >= $1::xid8)
      order by d.id`,
    [after ?? null],
  );
  return {
    cursor: rows[0]!.xmin,
    denials: rows
      .filter((row) => row.user_id !== null)
      .map((row) => ({
        subject: row.user_id!,
        sessionId: row.session_id,
        issuedBefore: row.issued_before!.toISOString(),
        expiresAt: row.expires_at!.toISOString(),
      })),
  };
}

/** Drops denials that no token can still need. */
export async function deleteExpiredDenials(db: Queryable): Promise<number> {
  const result = await db.query("delete from token_denials where expires_at < now() - interval '1 hour'");
  return result.rowCount ?? 0;
}
