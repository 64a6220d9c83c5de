// Where a relay reads the outbox from. The relay (relay.ts) is the same for every database: it opens a
// session on a store, claims a batch of unpublished messages, publishes them with confirms, marks them
// published. PostgreSQL's store (below) keeps one relay per database with an advisory lock and wakes
// it with LISTEN/NOTIFY; a store on a database without those (payments' MongoDB) claims with a lease.
//
// PostgreSQL's store marks what was published a little later, in one UPDATE for every batch of that
// window (`markDelayMs`, deferred-marks.ts), instead of one write transaction per batch.
import type pg from 'pg';
import type { Pool, PoolClient } from '../db/pool.js';
import { DeferredMarks } from './deferred-marks.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import type { StoredMessage } from './publish.js';

/** One stored message, as the relay publishes it. */
export interface OutboxRecord extends StoredMessage {
  /** The store's own handle (a position, a document id), handed back to markPublished. */
  key: string;
}

export interface OutboxSession {
  /** Up to `limit` unpublished messages, oldest first, that no other relay is publishing now. */
  claim(limit: number): Promise<OutboxRecord[]>;
  /** Called only after the broker confirmed every one of them. */
  markPublished(records: OutboxRecord[]): Promise<void>;
  close(): Promise<void>;
  /**
   * Every message stored after a claim began calls the store's `wake`, so a claim that returned less
   * than its limit needs no second look before the relay sleeps. Absent: the relay looks again.
   */
  readonly notifies?: boolean;
}

export interface OutboxStore {
  /**
   * A session for this relay, or undefined when another relay has the store (try again later).
   * `wake` is called when new messages were stored, if the store can tell.
   */
  open(wake: () => void): Promise<OutboxSession | undefined>;
  /** Seconds the oldest unpublished message has waited, 0 when none waits. */
  oldestPendingAgeSeconds(): Promise<number>;
}

const RELAY_LOCK_KEY = 7_310_442_001; // arbitrary, fixed: "the outbox relay of this database"

interface OutboxRow {
  position: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  message_type: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: Date;
}

export interface PostgresOutboxOptions {
  /**
   * How long published rows may wait to be marked, so one UPDATE marks every batch of the window
   * (default 1 s: long enough to hold several orders' messages at a few orders a second; a crash
   * republishes at most that window, with the same message ids); 0 marks each batch at once.
   */
  markDelayMs?: number;
}

/** The kit's `kit_outbox` table: one active relay per database (an advisory lock), woken by NOTIFY. */
export class PostgresOutboxStore implements OutboxStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresOutboxOptions = {},
  ) {}

  async open(wake: () => void): Promise<OutboxSession | undefined> {
    const lockClient = await this.pool.connect();
    const release = async () => {
      (lockClient as unknown as pg.Client).removeAllListeners('notification');
      await lockClient.query('unlisten *; select pg_advisory_unlock_all()').catch(() => {});
      lockClient.release();
    };
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1) as locked',
        [RELAY_LOCK_KEY],
      );
      if (!rows[0]?.locked) {
        lockClient.release();
        return undefined; // another replica is the relay
      }
      await listen(lockClient, wake);
    } catch (error) {
      await release();
      throw error;
    }
    const pool = this.pool;
    const marks = new DeferredMarks(async (positions) => {
      await pool.query('update kit_outbox set published_at = now() where position = any($1::bigint[])', [
        positions,
      ]);
    }, this.options.markDelayMs ?? 1_000);
    return {
      async claim(limit) {
        const { rows } = await pool.query<OutboxRow>(
          `select position, message_id, exchange, routing_key, message_type, payload, headers, created_at
             from kit_outbox where published_at is null and not (position = any($2::bigint[]))
            order by position limit $1`,
          [limit, marks.pending()],
        );
        return rows.map((row) => ({
          key: row.position,
          messageId: row.message_id,
          exchange: row.exchange,
          routingKey: row.routing_key,
          type: row.message_type,
          payload: row.payload,
          headers: row.headers,
          createdAt: row.created_at,
        }));
      },
      markPublished: (records) => marks.add(records.map((record) => record.key)),
      notifies: true, // enqueueOutbox's NOTIFY reaches the relay's listening connection
      async close() {
        // Marked before the lock goes, so the next relay does not publish them again.
        await marks.flush().catch(() => {});
        await release();
      },
    };
  }

  async oldestPendingAgeSeconds(): Promise<number> {
    const result = await this.pool.query<{ age: number | null }>(
      'select extract(epoch from now() - min(created_at))::float8 as age from kit_outbox where published_at is null',
    );
    return result.rows[0]?.age ?? 0;
  }
}

async function listen(client: PoolClient, wake: () => void): Promise<void> {
  (client as unknown as pg.Client).on('notification', () => wake());
  await client.query(`listen ${OUTBOX_CHANNEL}`);
}
