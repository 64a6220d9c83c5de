-- Up Migration
-- The back office asks for the failed sign-ins of the last minutes per client address (its
-- sign-in-failures anomaly rule, every few minutes): read from this partial index, not the whole log.
CREATE INDEX audit_log_sign_in_failures ON audit_log (occurred_at)
  WHERE event IN ('login.failed', 'two_factor.failed');

-- Down Migration
DROP INDEX audit_log_sign_in_failures;
