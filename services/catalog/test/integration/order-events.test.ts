// The order.completed consumer survives losing its broker connection: the broker closes it, the
// consumer reconnects by itself, and events published meanwhile are still recorded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { waitFor } from '@shopstack/kit/testing';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct } from '../support/fixtures.js';
import { publishEvent } from '../support/rabbit.js';

const run = promisify(execFile);
const RABBITMQ_NODE = process.env.RABBITMQ_NODE ?? 'rabbit@localhost';

/** Broker-side ids of this suite's own connections (found by their unique name). */
async function connectionPids(name: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    '-n',
    RABBITMQ_NODE,
    'list_connections',
    'pid',
    'client_properties',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`"connection_name","${name}"`))
    .map((line) => line.split('\t')[0]!);
}

async function rabbitmqctlWorks(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['-q', '-n', RABBITMQ_NODE, 'status'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe('catalog order events: broker connection loss', function () {
  this.timeout(90_000);
  let catalog: TestCatalog;

  before(async () => {
    // Closing a connection from the broker side needs its CLI on this machine (the local infra has it):
    // without it this suite fails rather than passing untested.
    assert.ok(
      await rabbitmqctlWorks(),
      `rabbitmqctl cannot reach the broker ${RABBITMQ_NODE} (run \`npm run infra -- up rabbitmq\` here)`,
    );
    catalog = await startTestCatalog();
  });

  after(async () => {
    await catalog?.stop();
  });

  it('reconnects on its own and records events published while it was away', async () => {
    const name = `catalog ${catalog.queue}`;
    const [original] = await connectionPids(name);
    assert.ok(original, 'the consumer connection is visible to the broker');
    await run('rabbitmqctl', [
      '-q',
      '-n',
      RABBITMQ_NODE,
      'close_connection',
      original,
      'connection loss test',
    ]);

    // Published right away: it waits in the durable queue if the consumer is not back yet.
    const admin = await catalog.issuer.token(randomUUID(), 'admin');
    const product = await createProduct(catalog, admin);
    const buyer = randomUUID();
    await publishEvent(
      catalog.exchange,
      'order.completed',
      { orderId: randomUUID(), userId: buyer, lines: [{ productId: product.id, quantity: 1 }] },
      randomUUID(),
    );

    const reconnected = await waitFor(
      async () => {
        const pids = await connectionPids(name);
        return pids.length === 1 && pids[0] !== original ? pids[0] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'a new consumer connection' },
    );
    assert.notEqual(reconnected, original);
    await waitFor(
      async () => {
        const { rows } = await catalog.service.deps.pool.query('select 1 from purchases where user_id = $1', [
          buyer,
        ]);
        return rows.length === 1 || undefined;
      },
      { timeoutMs: 30_000, what: 'the purchase recorded after reconnecting' },
    );
    const ready = await catalog.call('GET', '/readyz');
    assert.equal(ready.status, 200);
  });
});
