// What the users service deletes when the back office's nightly retention run asks (the kit's purge
// runs them in bounded batches): the kit's outbox and inbox, the audit log after a year (archived first),
// one-time tokens a week past expiry, and
// refresh sessions that are dead — tokens a month past expiry, then families revoked a month ago
// that have no token left (a family still holding a live token is never deleted).
import { DEFAULT_KIT_RETENTION, kitRetentionRules, type RetentionRule } from '@shopstack/kit';

export const USERS_RETENTION: RetentionRule[] = [
  ...kitRetentionRules(DEFAULT_KIT_RETENTION),
  { name: 'one-time tokens', table: 'one_time_tokens', column: 'expires_at', days: 7 },
  // The security audit log: a year online, then archived (compressed, in this database) as it goes.
  { name: 'audit log', table: 'audit_log', column: 'occurred_at', days: 365, archive: true },
  { name: 'refresh tokens', table: 'refresh_tokens', column: 'expires_at', days: 30 },
  {
    name: 'refresh families',
    table: 'refresh_families',
    column: 'revoked_at',
    days: 30,
    condition: 'not exists (select 1 from refresh_tokens t where t.family_id = refresh_families.id)',
  },
];
