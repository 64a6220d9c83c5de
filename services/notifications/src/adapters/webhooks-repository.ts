// The webhook tables: endpoints and their secrets, and the deliveries queue with its attempt log.
import { randomUUID } from 'node:crypto';
import type { Queryable, Sealed, Sealer } from '@shopstack/kit';
import type { WebhookScope } from '../domain/webhooks.js';

export interface WebhookEndpoint {
  id: string;
  ownerId: string;
  url: string;
  description: string;
  eventTypes: string[];
  scope: WebhookScope;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  sourceId: string;
  eventType: string;
  payload: unknown;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface WebhookAttempt {
  attempt: number;
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: rows straight from pg
const toEndpoint = (r: any): WebhookEndpoint => ({
  id: r.id,
  ownerId: r.owner_id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  scope: r.scope,
  status: r.status,
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  failingSince: r.failing_since,
  createdAt: r.created_at,
});

// biome-ignore lint/suspicious/noExplicitAny: rows straight from pg
const toDelivery = (r: any): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  sourceId: r.source_id,
  eventType: r.event_type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatusCode: r.last_status_code,
  lastLatencyMs: r.last_latency_ms,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

export async function insertEndpoint(
  db: Queryable,
  e: Pick<WebhookEndpoint, 'ownerId' | 'url' | 'description' | 'eventTypes' | 'scope'>,
  secret: string,
  sealer: Sealer | undefined,
): Promise<WebhookEndpoint> {
  const { rows } = await db.query(
    `insert into webhook_endpoints (id, owner_id, url, description, event_types, scope)
     values ($1, $2, $3, $4, $5, $6) returning *`,
    [randomUUID(), e.ownerId, e.url, e.description, e.eventTypes, e.scope],
  );
  const endpoint = toEndpoint(rows[0]);
  await insertSecret(db, endpoint.id, secret, sealer);
  return endpoint;
}

export async function findEndpoint(db: Queryable, id: string): Promise<WebhookEndpoint | undefined> {
  const { rows } = await db.query('select * from webhook_endpoints where id = $1', [id]);
  return rows[0] ? toEndpoint(rows[0]) : undefined;
}

export async function listEndpointsOf(db: Queryable, ownerId: string): Promise<WebhookEndpoint[]> {
  const { rows } = await db.query(
    'select * from webhook_endpoints where owner_id = $1 order by created_at desc, id limit 100',
    [ownerId],
  );
  return rows.map(toEndpoint);
}

export async function countEndpointsOf(db: Queryable, ownerId: string): Promise<number> {
  const { rows } = await db.query('select count(*)::int as n from webhook_endpoints where owner_id = $1', [
    ownerId,
  ]);
  return rows[0].n;
}

export async function deleteEndpoint(db: Queryable, id: string): Promise<void> {
  await db.query('delete from webhook_endpoints where id = $1', [id]);
}

/** Enables again after a disable: the failure clock starts afresh. */
export async function enableEndpoint(db: Queryable, id: string): Promise<void> {
  await db.query(
    `update webhook_endpoints set status = 'enabled', disabled_reason = null, disabled_at = null,
       failing_since = null, updated_at = now() where id = $1`,
    [id],
  );
}

/** Disables an enabled endpoint; returns it only when this call disabled it (so its owner is told once). */
export async function disableEndpoint(
  db: Queryable,
  id: string,
  reason: string,
): Promise<WebhookEndpoint | undefined> {
  const { rows } = await db.query(
    `update webhook_endpoints set status = 'disabled', disabled_reason = $2, disabled_at = now(), updated_at = now()
     where id = $1 and status = 'enabled' returning *`,
    [id, reason.slice(0, 500)],
  );
  return rows[0] ? toEndpoint(rows[0]) : undefined;
}

/** Records a failure; returns since when the endpoint has been failing. */
export async function markEndpointFailing(db: Queryable, id: string): Promise<Date> {
  const { rows } = await db.query(
    `update webhook_endpoints set failing_since = coalesce(failing_since, now()) where id = $1
     returning failing_since`,
    [id],
  );
  return rows[0]?.failing_since ?? new Date();
}

export async function markEndpointHealthy(db: Queryable, id: string): Promise<void> {
  await db.query(
    'update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null',
    [id],
  );
}

/** Enabled endpoints failing every delivery since their last success, and the longest such failure. */
export async function failingEndpoints(db: Queryable): Promise<{ count: number; oldestSeconds: number }> {
  const { rows } = await db.query<{ count: number; oldest: number | null }>(
    `select count(*)::int as count, extract(epoch from now() - min(failing_since))::float8 as oldest
       from webhook_endpoints where status = 'enabled' and failing_since is not null`,
  );
  return { count: rows[0]?.count ?? 0, oldestSeconds: Math.max(0, rows[0]?.oldest ?? 0) };
}

/** The secrets that sign now: the current one first, then any previous one still in its overlap. */
export async function signingSecrets(
  db: Queryable,
  endpointId: string,
  sealer: Sealer | undefined,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string; secret: string | null; sealed_secret: Sealed | null }>(
    `select id, secret, sealed_secret from webhook_secrets
      where endpoint_id = $1 and (expires_at is null or expires_at > now())
      order by expires_at desc nulls first, created_at desc`,
    [endpointId],
  );
  return rows.map((r) => {
    if (!r.sealed_secret) return r.secret!; // stored without a key (or by a replica that had none)
    if (!sealer) throw new Error('webhook secrets are sealed but WEBHOOK_SECRET_ENCRYPTION_KEY is not set');
    return sealer.open(r.sealed_secret, r.id);
  });
}

async function insertSecret(
  db: Queryable,
  endpointId: string,
  secret: string,
  sealer: Sealer | undefined,
): Promise<void> {
  const id = randomUUID();
  await db.query(
    'insert into webhook_secrets (id, endpoint_id, secret, sealed_secret) values ($1, $2, $3, $4)',
    [id, endpointId, sealer ? null : secret, sealer ? JSON.stringify(sealer.seal(secret, id)) : null],
  );
}

/** Seals the plain secrets an older version stored; returns how many it sealed. */
export async function sealPlainSecrets(db: Queryable, sealer: Sealer): Promise<number> {
  const { rows } = await db.query<{ id: string; secret: string }>(
    'select id, secret from webhook_secrets where secret is not null',
  );
  for (const row of rows) {
    await db.query(
      'update webhook_secrets set sealed_secret = $2, secret = null where id = $1 and secret is not null',
      [row.id, JSON.stringify(sealer.seal(row.secret, row.id))],
    );
  }
  return rows.length;
}

/** Makes `secret` the current one; the previous ones sign for `overlapMs` more at most. */
export async function rotateSecret(
  db: Queryable,
  endpointId: string,
  secret: string,
  overlapMs: number,
  sealer: Sealer | undefined,
): Promise<Date> {
  // Every older secret stops by the end of this overlap at the latest (an earlier rotation's longer
  // overlap does not outlive this one).
  const { rows } = await db.query(
    `update webhook_secrets
       set expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => $2::float8 / 1000))
     where endpoint_id = $1 and (expires_at is null or expires_at > now())
     returning expires_at`,
    [endpointId, overlapMs],
  );
  // Secrets past their overlap are of no use any more.
  await db.query('delete from webhook_secrets where endpoint_id = $1 and expires_at <= now()', [endpointId]);
  await insertSecret(db, endpointId, secret, sealer);
  return rows.map((r) => r.expires_at as Date).sort((a, b) => b.getTime() - a.getTime())[0] ?? new Date();
}

/** Enabled endpoints subscribed to `eventType` that may see events about `userId`. */
export async function endpointsFor(db: Queryable, eventType: string, userId: string): Promise<string[]> {
  const { rows } = await db.query(
    `select id from webhook_endpoints where status = 'enabled' and event_types @> array[$1]::text[]
       and (owner_id = $2 or scope = 'shop')`,
    [eventType, userId],
  );
  return rows.map((r) => r.id);
}

export async function insertWebhookDelivery(
  db: Queryable,
  d: Pick<WebhookDelivery, 'id' | 'endpointId' | 'sourceId' | 'eventType' | 'payload'>,
): Promise<WebhookDelivery> {
  const inserted = await db.query(
    `insert into webhook_deliveries (id, endpoint_id, source_id, event_type, payload)
     values ($1, $2, $3, $4, $5) on conflict (endpoint_id, source_id) do nothing returning *`,
    [d.id, d.endpointId, d.sourceId, d.eventType, JSON.stringify(d.payload)],
  );
  if (inserted.rows[0]) return toDelivery(inserted.rows[0]);
  const { rows } = await db.query(
    'select * from webhook_deliveries where endpoint_id = $1 and source_id = $2',
    [d.endpointId, d.sourceId],
  );
  return toDelivery(rows[0]);
}

/**
 * Claims due deliveries of enabled endpoints with a lease, counting the attempt, in one statement
 * (two dispatchers never claim one row; a dispatcher that dies leaves rows due again after the lease).
 * A disabled endpoint's deliveries wait where they are until it is enabled again.
 */
export async function claimDueWebhooks(
  db: Queryable,
  limit: number,
  leaseMs: number,
): Promise<WebhookDelivery[]> {
  const { rows } = await db.query(
    `update webhook_deliveries set attempts = attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
     where id in (select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                  where d.status = 'pending' and d.next_attempt_at <= now() and e.status = 'enabled'
                  order by d.next_attempt_at limit $1 for update of d skip locked)
     returning *`,
    [limit, leaseMs],
  );
  return rows.map(toDelivery);
}

/** Records one attempt and the delivery's next state: delivered, failed, or due again after `retryInMs`. */
export async function recordAttempt(
  db: Queryable,
  delivery: WebhookDelivery,
  result: { statusCode: number | undefined; latencyMs: number; error?: string | undefined },
  next: { status: WebhookDeliveryStatus; retryInMs?: number },
): Promise<void> {
  const error = result.error?.slice(0, 1000) ?? null;
  await db.query(
    `insert into webhook_attempts (delivery_id, attempt, status_code, latency_ms, error) values ($1, $2, $3, $4, $5)`,
    [delivery.id, delivery.attempts, result.statusCode ?? null, result.latencyMs, error],
  );
  await db.query(
    `update webhook_deliveries set status = $2, last_status_code = $3, last_latency_ms = $4, last_error = $5,
       delivered_at = case when $2 = 'delivered' then now() else delivered_at end,
       next_attempt_at = case when $6::float8 is null then next_attempt_at
                              else now() + make_interval(secs => $6::float8 / 1000) end
     where id = $1 and status = 'pending'`,
    [delivery.id, next.status, result.statusCode ?? null, result.latencyMs, error, next.retryInMs ?? null],
  );
}

export async function findWebhookDelivery(db: Queryable, id: string): Promise<WebhookDelivery | undefined> {
  const { rows } = await db.query('select * from webhook_deliveries where id = $1', [id]);
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

export async function listWebhookDeliveries(
  db: Queryable,
  endpointId: string,
  options: { limit: number; status?: WebhookDeliveryStatus | undefined },
): Promise<WebhookDelivery[]> {
  const { rows } = await db.query(
    `select * from webhook_deliveries where endpoint_id = $1 and ($2::text is null or status = $2)
     order by created_at desc, id desc limit $3`,
    [endpointId, options.status ?? null, options.limit],
  );
  return rows.map(toDelivery);
}

export async function attemptsOf(db: Queryable, deliveryId: string): Promise<WebhookAttempt[]> {
  const { rows } = await db.query(
    'select * from webhook_attempts where delivery_id = $1 order by at, attempt limit 200',
    [deliveryId],
  );
  return rows.map((r) => ({
    attempt: r.attempt,
    at: r.at,
    statusCode: r.status_code,
    latencyMs: r.latency_ms,
    error: r.error,
  }));
}

/**
 * Sends deliveries again with the same `webhook-id` and a fresh retry schedule: one (`id`, now, even
 * if it is waiting for a retry), or every finished one of an endpoint created since a time.
 */
export async function requeueDeliveries(
  db: Queryable,
  where: { id: string } | { endpointId: string; since: Date },
): Promise<number> {
  const { rowCount } =
    'id' in where
      ? await db.query(
          `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now()
           where id = $1`,
          [where.id],
        )
      : await db.query(
          `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now()
           where endpoint_id = $1 and created_at >= $2 and status <> 'pending'`,
          [where.endpointId, where.since],
        );
  return rowCount ?? 0;
}

/** Serialises one owner's endpoint registrations until the transaction ends. */
export async function lockEndpointsOf(db: Queryable, ownerId: string): Promise<void> {
  await db.query('select pg_advisory_xact_lock(hashtext($1))', [`webhook-owner:${ownerId}`]);
}

export interface FailingEndpoint {
  endpointId: string;
  ownerId: string;
  url: string;
  status: 'enabled' | 'disabled';
  failingSince: Date;
  failedAttempts: number;
  lastError: string | null;
}

/** Endpoints failing since at least `seconds` ago (enabled or disabled for it), longest first. */
export async function listFailingEndpoints(db: Queryable, seconds: number): Promise<FailingEndpoint[]> {
  // An attempt succeeded when it got a 2xx and no error; the failures counted are those since the
  // endpoint's last success.
  const ok = 'coalesce(a.error is null and a.status_code between 200 and 299, false)';
  const { rows } = await db.query<FailingEndpoint>(
    `select e.id as "endpointId", e.owner_id as "ownerId", e.url, e.status, e.failing_since as "failingSince",
            coalesce(f.attempts, 0)::int as "failedAttempts", coalesce(f.last_error, e.disabled_reason) as "lastError"
       from webhook_endpoints e
       left join lateral (
         select count(*) filter (where not ${ok}) as attempts,
                (array_agg(coalesce(a.error, 'HTTP ' || a.status_code) order by a.at desc)
                   filter (where not ${ok}))[1] as last_error
           from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id
          where d.endpoint_id = e.id and a.at > coalesce((
                  select max(a.at) from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id
                   where d.endpoint_id = e.id and ${ok}), '-infinity')
       ) f on true
      where e.failing_since is not null and e.failing_since <= now() - make_interval(secs => $1)
      order by e.failing_since, e.id limit 100`,
    [seconds],
  );
  return rows;
}
