// Orders' retention ages are settings: the defaults, an override reaching the rules, refused values.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@shopstack/kit';
import { ordersRetentionRules } from '../../src/adapters/retention-rules.js';
import { ordersConfigSchema } from '../../src/config.js';

const required = {
  DATABASE_URL: 'postgres://unused',
  AMQP_URL: 'amqp://unused',
  CATALOG_GRPC_ADDRESS: '127.0.0.1:9',
  PAYMENTS_GRPC_ADDRESS: '127.0.0.1:9',
};
const ages = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    ordersRetentionRules(loadConfig(ordersConfigSchema, { ...required, ...env })).map((r) => [
      r.name,
      r.days,
    ]),
  );
const refused = (env: Record<string, string>) => {
  try {
    loadConfig(ordersConfigSchema, { ...required, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.variable);
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('orders: retention settings', () => {
  it('defaults: outbox 7 days, inbox 30, abandoned carts 90', () => {
    assert.deepEqual(ages(), { outbox: 7, inbox: 30, 'abandoned carts': 90 });
  });

  it('takes each age from the environment', () => {
    assert.deepEqual(
      ages({ OUTBOX_RETENTION_DAYS: '2', INBOX_RETENTION_DAYS: '20', CART_RETENTION_DAYS: '1' }),
      { outbox: 2, inbox: 20, 'abandoned carts': 1 },
    );
  });

  it('refuses ages that are not whole days of at least one, and an inbox within the redelivery window', () => {
    for (const bad of ['0', '-1', '1.5', 'ninety'])
      assert.deepEqual(refused({ CART_RETENTION_DAYS: bad }), ['CART_RETENTION_DAYS']);
    assert.deepEqual(refused({ INBOX_RETENTION_DAYS: '14' }), ['INBOX_RETENTION_DAYS']);
    assert.deepEqual(refused({ BROKER_REDELIVERY_WINDOW_DAYS: '45' }), ['INBOX_RETENTION_DAYS']);
  });
});
