// Payments' retention ages are settings: the defaults, an override reaching the rules, refused values.
// Payments keeps no inbox, so it has no inbox age (nor a redelivery window) to set.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@shopstack/kit';
import type { PaymentsDb } from '../../src/adapters/mongo.js';
import type { SandboxProvider } from '../../src/adapters/providers/sandbox.js';
import { paymentsRetentionRules } from '../../src/adapters/retention-rules.js';
import { paymentsConfigSchema } from '../../src/config.js';

const required = { MONGO_URL: 'mongodb://127.0.0.1:9/unused' };
// The rules only name their collections here; nothing is read or deleted.
const db = { outbox: {}, outboxClaims: {}, limitLog: {} } as unknown as PaymentsDb;
const sandbox = {
  retentionRule: (days: number) => ({ name: 'sandbox requests', days }),
} as unknown as SandboxProvider;
const ages = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    paymentsRetentionRules(db, sandbox, loadConfig(paymentsConfigSchema, { ...required, ...env })).map(
      (r) => [r.name, r.days],
    ),
  );
const refused = (env: Record<string, string>) => {
  try {
    loadConfig(paymentsConfigSchema, { ...required, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.variable);
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('payments: retention settings', () => {
  it('defaults: 7 days for the outbox, its claims, the limit log and sandbox requests', () => {
    assert.deepEqual(ages(), { outbox: 7, 'outbox claims': 7, 'limit log': 7, 'sandbox requests': 7 });
  });

  it('takes each age from the environment', () => {
    assert.deepEqual(
      ages({
        OUTBOX_RETENTION_DAYS: '3',
        LIMIT_LOG_RETENTION_DAYS: '2',
        SANDBOX_REQUEST_RETENTION_DAYS: '30',
      }),
      { outbox: 3, 'outbox claims': 3, 'limit log': 2, 'sandbox requests': 30 },
    );
  });

  it('refuses ages that are not whole days of at least one', () => {
    for (const variable of [
      'OUTBOX_RETENTION_DAYS',
      'LIMIT_LOG_RETENTION_DAYS',
      'SANDBOX_REQUEST_RETENTION_DAYS',
    ])
      for (const bad of ['0', '-7', '0.5', 'week'])
        assert.deepEqual(refused({ [variable]: bad }), [variable]);
  });
});
