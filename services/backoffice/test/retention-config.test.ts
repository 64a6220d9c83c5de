// The back office's retention ages (its report files, the kit's outbox and inbox) are settings,
// refused at parse when not whole days of at least one or when the inbox would not outlive the
// broker's redelivery window (no server needed).
import assert from 'node:assert/strict';
import { ConfigError, kitRetentionOf, loadConfig } from '@shopstack/kit';
import { backofficeConfigSchema } from '../src/config.js';

const required = { DATABASE_URL: 'postgres://unused', AMQP_URL: 'amqp://unused' };
const refused = (env: Record<string, string>) => {
  try {
    loadConfig(backofficeConfigSchema, { ...required, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.variable);
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('backoffice: retention settings', () => {
  it('defaults, overrides, refused values', () => {
    const defaults = loadConfig(backofficeConfigSchema, required);
    assert.equal(defaults.REPORT_RETENTION_DAYS, 30);
    assert.deepEqual(kitRetentionOf(defaults), { outboxDays: 7, inboxDays: 30, redeliveryWindowDays: 14 });
    const set = loadConfig(backofficeConfigSchema, {
      ...required,
      REPORT_RETENTION_DAYS: '5',
      INBOX_RETENTION_DAYS: '40',
      BROKER_REDELIVERY_WINDOW_DAYS: '21',
    });
    assert.equal(set.REPORT_RETENTION_DAYS, 5);
    assert.deepEqual(kitRetentionOf(set), { outboxDays: 7, inboxDays: 40, redeliveryWindowDays: 21 });
    for (const bad of ['0', '-1', '2.5'])
      assert.deepEqual(refused({ REPORT_RETENTION_DAYS: bad }), ['REPORT_RETENTION_DAYS']);
    assert.deepEqual(refused({ INBOX_RETENTION_DAYS: '21', BROKER_REDELIVERY_WINDOW_DAYS: '21' }), [
      'INBOX_RETENTION_DAYS',
    ]);
  });
});
