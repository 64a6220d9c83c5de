// What the users service deletes when the back office's nightly retention run asks (the kit's purge
// runs them in bounded batches): the kit's outbox and inbox, the audit log after a year (archived first),
// one-time tokens a week past expiry, and
// refresh sessions that are dead — tokens a month past expiry, then families revoked a month ago
// that have no token left (a family still holding a live token is never deleted). The ages are the
// service's settings (config.ts; these are their defaults).
import { kitRetentionOf, kitRetentionRules, type RetentionRule } from '@shopstack/kit';
import type { UsersConfig } from '../config.js';

export type UsersRetentionSettings = Pick<
  UsersConfig,
  | 'OUTBOX_RETENTION_DAYS'
  | 'INBOX_RETENTION_DAYS'
  | 'BROKER_REDELIVERY_WINDOW_DAYS'
  | 'ONE_TIME_TOKEN_RETENTION_DAYS'
  | 'AUDIT_LOG_RETENTION_DAYS'
  | 'REFRESH_TOKEN_RETENTION_DAYS'
  | 'REFRESH_FAMILY_RETENTION_DAYS'
>;

export function usersRetentionRules(settings: UsersRetentionSettings): RetentionRule[] {
  return [
    ...kitRetentionRules(kitRetentionOf(settings)),
    {
      name: 'one-time tokens',
      table: 'one_time_tokens',
      column: 'expires_at',
      days: settings.ONE_TIME_TOKEN_RETENTION_DAYS,
    },
    // The security audit log: online for its age, then archived (compressed, in this database) as it goes.
    {
      name: 'audit log',
      table: 'audit_log',
      column: 'occurred_at',
      days: settings.AUDIT_LOG_RETENTION_DAYS,
      archive: true,
    },
    {
      name: 'refresh tokens',
      table: 'refresh_tokens',
      column: 'expires_at',
      days: settings.REFRESH_TOKEN_RETENTION_DAYS,
    },
    {
      name: 'refresh families',
      table: 'refresh_families',
      column: 'revoked_at',
      days: settings.REFRESH_FAMILY_RETENTION_DAYS,
      condition: 'not exists (select 1 from refresh_tokens t where t.family_id = refresh_families.id)',
    },
  ];
}
