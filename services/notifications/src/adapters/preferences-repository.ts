// Opt-ins and the language a user reads messages in.
import type { Queryable } from '@shopstack/kit';
import {
  type Category,
  type Channel,
  DEFAULT_LOCALE,
  type Locale,
  type OptIns,
  optInKey,
} from '../domain/preferences.js';

export async function loadOptIns(db: Queryable, userId: string): Promise<Map<string, boolean>> {
  const result = await db.query<{ category: Category; channel: Channel; enabled: boolean }>(
    'select category, channel, enabled from preferences where user_id = $1',
    [userId],
  );
  return new Map(result.rows.map((r) => [optInKey(r.category, r.channel), r.enabled]));
}

export async function saveOptIn(
  db: Queryable,
  userId: string,
  category: Category,
  channel: Channel,
  enabled: boolean,
): Promise<void> {
  await db.query(
    `insert into preferences (user_id, category, channel, enabled) values ($1, $2, $3, $4)
     on conflict (user_id, category, channel) do update set enabled = excluded.enabled, updated_at = now()`,
    [userId, category, channel, enabled],
  );
}

export async function loadLocale(db: Queryable, userId: string): Promise<Locale> {
  const result = await db.query<{ locale: Locale }>(
    'select locale from recipient_settings where user_id = $1',
    [userId],
  );
  return result.rows[0]?.locale ?? DEFAULT_LOCALE;
}

export async function saveLocale(db: Queryable, userId: string, locale: Locale): Promise<void> {
  await db.query(
    `insert into recipient_settings (user_id, locale) values ($1, $2)
     on conflict (user_id) do update set locale = excluded.locale, updated_at = now()`,
    [userId, locale],
  );
}

export type { OptIns };
