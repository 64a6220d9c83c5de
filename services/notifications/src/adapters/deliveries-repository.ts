// The deliveries table: the durable queue of messages to send, and their log.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '@shopstack/kit';
import type { Category, Channel, Locale } from '../domain/preferences.js';
import type { TemplateName } from '../domain/templates.js';

export type DeliveryStatus = 'pending' | 'sent' | 'dead';

export interface Delivery {
  id: string;
  sourceId: string;
  userId: string | null;
  channel: Channel;
  category: Category;
  template: TemplateName;
  locale: Locale;
  variables: unknown;
  recipient: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** What a caller gives to queue a delivery; the rest is the queue's own bookkeeping. */
export type NewDelivery = Pick<
  Delivery,
  'sourceId' | 'userId' | 'channel' | 'category' | 'template' | 'locale' | 'variables' | 'recipient'
>;

interface Row {
  id: string;
  source_id: string;
  user_id: string | null;
  channel: Channel;
  category: Category;
  template: TemplateName;
  locale: Locale;
  variables: unknown;
  recipient: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  sourceId: r.source_id,
  userId: r.user_id,
  channel: r.channel,
  category: r.category,
  template: r.template,
  locale: r.locale,
  variables: r.variables,
  recipient: r.recipient,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  providerMessageId: r.provider_message_id,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/** Inserts unless this source already made this message on this channel; returns the delivery either way. */
export async function insertDelivery(db: Queryable, d: NewDelivery): Promise<Delivery> {
  const inserted = await db.query<Row>(
    `insert into deliveries (id, source_id, user_id, channel, category, template, locale, variables, recipient)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (source_id, channel, template) do nothing
     returning *`,
    [
      randomUUID(),
      d.sourceId,
      d.userId,
      d.channel,
      d.category,
      d.template,
      d.locale,
      JSON.stringify(d.variables),
      d.recipient,
    ],
  );
  if (inserted.rows[0]) return toDelivery(inserted.rows[0]);
  const existing = await db.query<Row>(
    'select * from deliveries where source_id = $1 and channel = $2 and template = $3',
    [d.sourceId, d.channel, d.template],
  );
  return toDelivery(existing.rows[0]!);
}

/**
 * Claims up to `limit` due deliveries of a channel: their next attempt moves `leaseMs` ahead and the
 * attempt is counted, in one statement, so two dispatchers never claim the same row and a dispatcher
 * that dies leaves rows that become due again when the lease runs out.
 */
export async function claimDue(
  db: Queryable,
  channel: Channel,
  limit: number,
  leaseMs: number,
): Promise<Delivery[]> {
  const result = await db.query<Row>(
    `update deliveries set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
     where id in (select id from deliveries
                  where status = 'pending' and channel = $1 and next_attempt_at <= now()
                  order by next_attempt_at limit $2 for update skip locked)
     returning *`,
    [channel, limit, leaseMs],
  );
  return result.rows.map(toDelivery);
}

export async function markSent(db: Queryable, id: string, providerMessageId: string): Promise<void> {
  await db.query(
    `update deliveries set status = 'sent', sent_at = now(), provider_message_id = $2, last_error = null
     where id = $1 and status = 'pending'`,
    [id, providerMessageId],
  );
}

export async function markRetry(db: Queryable, id: string, delayMs: number, error: string): Promise<void> {
  await db.query(
    `update deliveries set next_attempt_at = now() + make_interval(secs => $2::float8 / 1000), last_error = $3
     where id = $1 and status = 'pending'`,
    [id, delayMs, error.slice(0, 1000)],
  );
}

/** The provider refused before trying (breaker open, rate): the attempt does not count. */
export async function releaseClaim(db: Queryable, id: string, delayMs: number): Promise<void> {
  await db.query(
    `update deliveries set attempts = greatest(attempts - 1, 0),
       next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
     where id = $1 and status = 'pending'`,
    [id, delayMs],
  );
}

export async function markDead(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `update deliveries set status = 'dead', last_error = $2 where id = $1 and status = 'pending'`,
    [id, error.slice(0, 1000)],
  );
}

export async function setRecipient(db: Queryable, id: string, recipient: string): Promise<void> {
  await db.query('update deliveries set recipient = $2 where id = $1', [id, recipient]);
}

export async function findDelivery(db: Queryable, id: string): Promise<Delivery | undefined> {
  const result = await db.query<Row>('select * from deliveries where id = $1', [id]);
  return result.rows[0] ? toDelivery(result.rows[0]) : undefined;
}

export async function listDeliveriesOf(
  db: Queryable,
  userId: string,
  options: { limit: number; before?: Date },
): Promise<Delivery[]> {
  const result = await db.query<Row>(
    `select * from deliveries where user_id = $1 and ($2::timestamptz is null or created_at < $2)
     order by created_at desc, id desc limit $3`,
    [userId, options.before ?? null, options.limit],
  );
  return result.rows.map(toDelivery);
}

export interface Backlog {
  channel: Channel;
  pending: number;
  oldestSeconds: number;
}

export async function backlog(db: Queryable): Promise<Backlog[]> {
  const result = await db.query<{ channel: Channel; pending: string; oldest: number | null }>(
    `select channel, count(*) as pending, extract(epoch from now() - min(created_at))::float8 as oldest
     from deliveries where status = 'pending' group by channel`,
  );
  return result.rows.map((r) => ({
    channel: r.channel,
    pending: Number(r.pending),
    oldestSeconds: r.oldest ?? 0,
  }));
}
