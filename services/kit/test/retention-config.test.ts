// Retention ages as settings: whole days of at least one, the kit's defaults when unset, and the inbox
// refused at config parse (naming the variable) unless it outlives the broker's redelivery window.
import assert from 'node:assert/strict';
import {
  baseConfigSchema,
  ConfigError,
  checkRetentionConfig,
  kitRetentionOf,
  kitRetentionRules,
  loadConfig,
  retentionConfig,
  retentionDays,
} from '../src/index.js';

const schema = baseConfigSchema
  .extend({ ...retentionConfig, THING_RETENTION_DAYS: retentionDays(90) })
  .superRefine(checkRetentionConfig);

function problems(env: Record<string, string>) {
  try {
    loadConfig(schema, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('kit retention settings', () => {
  it('defaults to 7 days of outbox, 30 of inbox ids over a 14-day redelivery window', () => {
    const config = loadConfig(schema, {});
    assert.deepEqual(kitRetentionOf(config), { outboxDays: 7, inboxDays: 30, redeliveryWindowDays: 14 });
    assert.equal(config.THING_RETENTION_DAYS, 90);
    assert.deepEqual(
      kitRetentionRules(kitRetentionOf(config)).map((rule) => [rule.table, rule.days]),
      [
        ['kit_outbox', 7],
        ['kit_inbox', 30],
      ],
    );
  });

  it('takes other whole days from the environment, down to one', () => {
    const config = loadConfig(schema, {
      OUTBOX_RETENTION_DAYS: '1',
      INBOX_RETENTION_DAYS: '3',
      BROKER_REDELIVERY_WINDOW_DAYS: '2',
      THING_RETENTION_DAYS: '365',
    });
    assert.deepEqual(kitRetentionOf(config), { outboxDays: 1, inboxDays: 3, redeliveryWindowDays: 2 });
    assert.equal(config.THING_RETENTION_DAYS, 365);
  });

  it('refuses ages that are not whole days of at least one, naming the variable', () => {
    for (const bad of ['0', '-3', '1.5', 'a week', '']) {
      const found = problems({ THING_RETENTION_DAYS: bad });
      assert.deepEqual(
        found.map((p) => p.variable),
        ['THING_RETENTION_DAYS'],
        `${JSON.stringify(bad)}: ${JSON.stringify(found)}`,
      );
    }
    assert.match(problems({ OUTBOX_RETENTION_DAYS: '0' })[0]!.message, /at least 1 day/);
    assert.match(problems({ OUTBOX_RETENTION_DAYS: '2.5' })[0]!.message, /whole number of days/);
  });

  it('refuses an inbox kept no longer than the broker can redeliver, at parse, with both figures', () => {
    const windows: Record<string, string>[] = [
      { INBOX_RETENTION_DAYS: '14' },
      { INBOX_RETENTION_DAYS: '10' },
      { BROKER_REDELIVERY_WINDOW_DAYS: '30' },
    ];
    for (const env of windows) {
      const found = problems(env);
      assert.deepEqual(
        found.map((p) => p.variable),
        ['INBOX_RETENTION_DAYS'],
      );
      assert.match(found[0]!.message, /must be longer than the broker's redelivery window/);
    }
    assert.match(
      problems({ INBOX_RETENTION_DAYS: '10' })[0]!.message,
      /inbox retention \(10 days\) .* redelivery window \(14 days\)/,
    );
    // The rules refuse it too, for a caller that builds them without a parsed config.
    assert.throws(
      () => kitRetentionRules({ outboxDays: 7, inboxDays: 14, redeliveryWindowDays: 14 }),
      /must be longer than the broker's redelivery window/,
    );
  });
});
