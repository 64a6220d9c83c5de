// Notifications' retention ages are settings: the defaults, an override reaching the rules, refused
// values (no server needed).
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@shopstack/kit';
import { notificationsRetentionRules } from '../src/adapters/retention-rules.js';
import { notificationsConfigSchema } from '../src/config.js';

const required = {
  DATABASE_URL: 'postgres://unused',
  AMQP_URL: 'amqp://unused',
  USERS_GRPC_ADDRESS: '127.0.0.1:9',
  SMTP_URL: 'smtp://127.0.0.1:9',
  UNSUBSCRIBE_SECRET: 'x'.repeat(32),
};
const ages = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    notificationsRetentionRules(loadConfig(notificationsConfigSchema, { ...required, ...env })).map((r) => [
      r.name,
      r.days,
    ]),
  );
const refused = (env: Record<string, string>) => {
  try {
    loadConfig(notificationsConfigSchema, { ...required, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.variable);
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('notifications: retention settings', () => {
  it('defaults: outbox 7 days, inbox 30, the delivery logs 90', () => {
    assert.deepEqual(ages(), { outbox: 7, inbox: 30, 'delivery log': 90, 'webhook delivery log': 90 });
  });

  it('takes each age from the environment', () => {
    assert.deepEqual(
      ages({
        DELIVERY_LOG_RETENTION_DAYS: '20',
        INBOX_RETENTION_DAYS: '60',
        BROKER_REDELIVERY_WINDOW_DAYS: '50',
      }),
      { outbox: 7, inbox: 60, 'delivery log': 20, 'webhook delivery log': 20 },
    );
  });

  it('refuses ages that are not whole days of at least one, and an inbox within the redelivery window', () => {
    for (const bad of ['0', '-90', '7.25', 'long'])
      assert.deepEqual(refused({ DELIVERY_LOG_RETENTION_DAYS: bad }), ['DELIVERY_LOG_RETENTION_DAYS']);
    assert.deepEqual(refused({ INBOX_RETENTION_DAYS: '7' }), ['INBOX_RETENTION_DAYS']);
  });
});
