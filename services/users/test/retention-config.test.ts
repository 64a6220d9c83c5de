// Users' retention ages are settings: the defaults, an override reaching the rules, refused values
// (no server needed).
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@shopstack/kit';
import { usersRetentionRules } from '../src/adapters/retention-rules.js';
import { usersConfigSchema } from '../src/config.js';

const required = { DATABASE_URL: 'postgres://unused', AMQP_URL: 'amqp://unused' };
const ages = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    usersRetentionRules(loadConfig(usersConfigSchema, { ...required, ...env })).map((r) => [r.name, r.days]),
  );
const refused = (env: Record<string, string>) => {
  try {
    loadConfig(usersConfigSchema, { ...required, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.variable);
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
};

describe('users: retention settings', () => {
  it('defaults: outbox 7 days, inbox 30, one-time tokens 7, the audit log 365, refresh tokens and families 30', () => {
    assert.deepEqual(ages(), {
      outbox: 7,
      inbox: 30,
      'one-time tokens': 7,
      'audit log': 365,
      'refresh tokens': 30,
      'refresh families': 30,
    });
  });

  it('takes each age from the environment', () => {
    assert.deepEqual(
      ages({
        ONE_TIME_TOKEN_RETENTION_DAYS: '1',
        AUDIT_LOG_RETENTION_DAYS: '730',
        REFRESH_TOKEN_RETENTION_DAYS: '2',
        REFRESH_FAMILY_RETENTION_DAYS: '3',
      }),
      {
        outbox: 7,
        inbox: 30,
        'one-time tokens': 1,
        'audit log': 730,
        'refresh tokens': 2,
        'refresh families': 3,
      },
    );
  });

  it('refuses ages that are not whole days of at least one, and an inbox within the redelivery window', () => {
    for (const bad of ['0', '-1', '1.5', 'year'])
      assert.deepEqual(refused({ AUDIT_LOG_RETENTION_DAYS: bad }), ['AUDIT_LOG_RETENTION_DAYS']);
    assert.deepEqual(refused({ INBOX_RETENTION_DAYS: '14' }), ['INBOX_RETENTION_DAYS']);
  });
});
