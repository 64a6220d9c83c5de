// Retention: deleting a service's rows that are past their age, in bounded batches (each batch its
// own short transaction, so a purge never holds long locks or bloats one transaction), with a cap on
// batches per run so one run stays bounded too; what is left waits for the next run. Each service
// runs it on its own tables (the back office only asks, with a retention.requested event).
import { gzipSync } from 'node:zlib';
import { type Pool, withTransaction } from './pool.js';
import { inboxRetentionProblem, type KitRetention } from './retention-settings.js';

export interface RetentionRule {
  /** Named in logs and in the run's result. */
  name: string;
  table: string;
  /** The timestamp a row's age is counted from. */
  column: string;
  /** Rows whose `column` is older than this many days go. */
  days: number;
  /** A further SQL condition a row must meet to go (e.g. only published outbox rows). */
  condition?: string;
  /** Archive the rows (gzip JSON lines in kit_archive) in the transaction that deletes them. */
  archive?: boolean;
}

export interface PurgeOptions {
  batchSize?: number;
  maxBatches?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Deletes the rows past their age, batch by batch; returns how many went. */
export async function purgeExpired(
  pool: Pool,
  rule: RetentionRule,
  options: PurgeOptions = {},
): Promise<number> {
  // Table and column names come from code, never from input; checked anyway, since they are spliced.
  if (!IDENTIFIER.test(rule.table) || !IDENTIFIER.test(rule.column))
    throw new Error(`retention rule ${rule.name}: not a plain identifier`);
  if (!(rule.days > 0)) throw new Error(`retention rule ${rule.name}: days must be positive`);
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 100;
  const where = `${rule.column} < now() - make_interval(days => $1)${rule.condition ? ` and (${rule.condition})` : ''}`;
  let deleted = 0;
  const remove = `delete from ${rule.table} where ctid = any(array(select ctid from ${rule.table} where ${where} limit $2))`;
  for (let batch = 0; batch < maxBatches; batch++) {
    const count = rule.archive
      ? await withTransaction(pool, async (client) => {
          const { rows } = await client.query(`${remove} returning row_to_json(${rule.table}.*) as row`, [
            rule.days,
            batchSize,
          ]);
          if (rows.length > 0)
            await client.query('insert into kit_archive (source, rows, content) values ($1, $2, $3)', [
              rule.table,
              rows.length,
              gzipSync(`${rows.map((r) => JSON.stringify(r.row)).join('\n')}\n`),
            ]);
          return rows.length;
        })
      : ((await pool.query(remove, [rule.days, batchSize])).rowCount ?? 0);
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}

/**
 * The kit's own tables. An inbox id is what stops a redelivered message from being applied twice, so
 * it must outlive every way the message can come back: a rule that would forget it sooner is refused.
 */
export function kitRetentionRules(settings: KitRetention): RetentionRule[] {
  // Services refuse such settings when their config is parsed; refused here too for any other caller.
  const problem = inboxRetentionProblem(settings);
  if (problem) throw new Error(problem);
  return [
    {
      name: 'outbox',
      table: 'kit_outbox',
      column: 'published_at',
      days: settings.outboxDays,
      condition: 'published_at is not null',
    },
    { name: 'inbox', table: 'kit_inbox', column: 'handled_at', days: settings.inboxDays },
  ];
}
