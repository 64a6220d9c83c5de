// The bounded log store: insert a batch and trim to the newest `cap` rows in the same transaction.
import { type Pool, type Queryable, withTransaction } from '@shopstack/kit';

export interface LogEvent {
  at: Date;
  service: string;
  level: string;
  msg: string;
  traceId: string | null;
  requestId: string | null;
  fields: Record<string, unknown>;
}

export async function storeLogEvents(pool: Pool, events: readonly LogEvent[], cap: number): Promise<void> {
  if (events.length === 0) return;
  await withTransaction(pool, async (client) => {
    await client.query(
      `insert into log_events (at, service, level, msg, trace_id, request_id, fields)
       select * from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])`,
      [
        events.map((e) => e.at),
        events.map((e) => e.service),
        events.map((e) => e.level),
        events.map((e) => e.msg),
        events.map((e) => e.traceId),
        events.map((e) => e.requestId),
        events.map((e) => JSON.stringify(e.fields)),
      ],
    );
    await client.query('delete from log_events where id <= (select max(id) from log_events) - $1', [cap]);
  });
}

export interface LogSearch {
  service?: string | undefined;
  level?: string | undefined;
  /** Words in the message or the fields (case-insensitive). */
  text?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
}

export async function searchLogEvents(
  db: Queryable,
  search: LogSearch,
): Promise<(LogEvent & { id: string })[]> {
  const { rows } = await db.query<{
    id: string;
    at: Date;
    service: string;
    level: string;
    msg: string;
    trace_id: string | null;
    request_id: string | null;
    fields: Record<string, unknown>;
  }>(
    `select * from log_events
      where ($1::text is null or service = $1) and ($2::text is null or level = $2)
        and ($3::text is null or msg ilike '%' || $3 || '%' or fields::text ilike '%' || $3 || '%')
        and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at <= $5)
      order by at desc, id desc limit $6`,
    [
      search.service ?? null,
      search.level ?? null,
      search.text ?? null,
      search.from ?? null,
      search.to ?? null,
      search.limit,
    ],
  );
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at,
    service: row.service,
    level: row.level,
    msg: row.msg,
    traceId: row.trace_id,
    requestId: row.request_id,
    fields: row.fields,
  }));
}
