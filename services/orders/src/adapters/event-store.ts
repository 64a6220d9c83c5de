// The PostgreSQL event store. Appends carry the version the writer last saw; the unique
// (stream_id, version) constraint turns a concurrent append into a ConcurrencyError instead of a
// silently interleaved stream. Reads upcast old schema versions to today's shapes.
import { isUniqueViolation, type Queryable } from '@shopstack/kit';
import { CURRENT_SCHEMA_VERSION, type NewOrderEvent, type RecordedOrderEvent } from '../domain/events.js';
import { upcast } from '../domain/upcasters.js';

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} moved past version ${expectedVersion}`);
  }
}

interface EventRow {
  version: number;
  event_type: string;
  schema_version: number;
  data: unknown;
  recorded_at: Date;
}

/**
 * Appends `events` after `expectedVersion` (0 for a new stream) and returns them as recorded.
 * Run it inside the transaction that also updates projections and the outbox.
 */
export async function appendEvents(
  db: Queryable,
  streamId: string,
  expectedVersion: number,
  events: readonly NewOrderEvent[],
): Promise<RecordedOrderEvent[]> {
  if (events.length === 0) return [];
  const versions = events.map((_, index) => expectedVersion + index + 1);
  try {
    const { rows } = await db.query<{ version: number; recorded_at: Date }>(
      `insert into order_events (stream_id, version, event_type, schema_version, data)
       select $1, v, t, s, d
         from unnest($2::int[], $3::text[], $4::smallint[], $5::jsonb[]) as e(v, t, s, d)
       returning version, recorded_at`,
      [
        streamId,
        versions,
        events.map((event) => event.type),
        events.map((event) => CURRENT_SCHEMA_VERSION[event.type]),
        events.map((event) => JSON.stringify(event.data)),
      ],
    );
    const recordedAt = new Map(rows.map((row) => [row.version, row.recorded_at]));
    return events.map((event, index) => {
      const version = versions[index]!;
      return { ...event, version, recordedAt: recordedAt.get(version)! } as RecordedOrderEvent;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'order_events_stream_version'))
      throw new ConcurrencyError(streamId, expectedVersion);
    throw error;
  }
}

/** The stream, optionally only the events recorded at or before `asOf` (temporal queries, to the millisecond). */
export async function readStream(
  db: Queryable,
  streamId: string,
  asOf?: Date,
): Promise<RecordedOrderEvent[]> {
  const { rows } = await db.query<EventRow>(
    `select version, event_type, schema_version, data, recorded_at from order_events
      where stream_id = $1 and ($2::timestamptz is null or date_trunc('milliseconds', recorded_at) <= $2)
      order by version`,
    [streamId, asOf ?? null],
  );
  return rows.map(
    (row) =>
      ({
        ...upcast(row.event_type, row.schema_version, row.data),
        version: row.version,
        recordedAt: row.recorded_at,
      }) as RecordedOrderEvent,
  );
}
