// The catalog's retention ages (the kit's outbox and inbox) are settings, refused at parse when the
// inbox would not outlive the broker's redelivery window.
import assert from 'node:assert/strict';
import { ConfigError, kitRetentionOf, loadConfig } from '@shopstack/kit';
import { catalogConfigSchema } from '../../src/config.js';

const required = { DATABASE_URL: 'postgres://unused', AMQP_URL: 'amqp://unused' };

describe('catalog: retention settings', () => {
  it('defaults, overrides, and refuses an inbox within the redelivery window', () => {
    assert.deepEqual(kitRetentionOf(loadConfig(catalogConfigSchema, required)), {
      outboxDays: 7,
      inboxDays: 30,
      redeliveryWindowDays: 14,
    });
    assert.deepEqual(
      kitRetentionOf(
        loadConfig(catalogConfigSchema, {
          ...required,
          OUTBOX_RETENTION_DAYS: '1',
          INBOX_RETENTION_DAYS: '15',
        }),
      ),
      { outboxDays: 1, inboxDays: 15, redeliveryWindowDays: 14 },
    );
    assert.throws(
      () => loadConfig(catalogConfigSchema, { ...required, INBOX_RETENTION_DAYS: '14' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        error.problems[0]!.variable === 'INBOX_RETENTION_DAYS' &&
        /must be longer than the broker's redelivery window \(14 days\)/.test(error.problems[0]!.message),
    );
    assert.throws(
      () => loadConfig(catalogConfigSchema, { ...required, OUTBOX_RETENTION_DAYS: '0' }),
      ConfigError,
    );
  });
});
