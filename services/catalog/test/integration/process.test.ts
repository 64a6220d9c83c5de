// The catalog as a process, the way Kubernetes runs it: migrations on start, ready on /readyz,
// reachable with grpcurl through server reflection, and a clean exit on SIGTERM.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createPgPool } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteExchange,
  requireEnv,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testExchangeName,
} from '@shopstack/kit/testing';
import { type CatalogProcess, startCatalogProcess } from '../support/process.js';
import { deleteQueue } from '../support/rabbit.js';

const run = promisify(execFile);

describe('catalog process (main.ts)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let issuer: TestIssuer;
  let catalog: CatalogProcess;
  const exchange = testExchangeName();
  const queue = `catalog.order-events.${randomUUID().slice(0, 8)}`;
  const commandsExchange = testExchangeName('shop.commands');
  const commandsQueue = `catalog.saga-commands.${randomUUID().slice(0, 8)}`;

  before(async () => {
    db = await createTestDatabase('catalog_process');
    issuer = await startTestIssuer();
    catalog = await startCatalogProcess({
      DATABASE_URL: db.url,
      AMQP_URL: requireEnv('AMQP_URL'),
      EVENTS_EXCHANGE: exchange,
      ORDER_EVENTS_QUEUE: queue,
      COMMANDS_EXCHANGE: commandsExchange,
      SAGA_COMMANDS_QUEUE: commandsQueue,
      JWKS_URL: issuer.jwksUrl,
    });
  });

  after(async () => {
    if (catalog && catalog.child.exitCode === null) catalog.child.kill('SIGKILL');
    await issuer?.close();
    await deleteQueue(queue).catch(() => {});
    await deleteQueue(`${queue}.dead`).catch(() => {});
    await deleteQueue(commandsQueue).catch(() => {});
    await deleteQueue(`${commandsQueue}.dead`).catch(() => {});
    await deleteExchange(exchange).catch(() => {});
    await deleteExchange(commandsExchange).catch(() => {});
    await db?.drop();
  });

  it('migrates, serves HTTP and gRPC (reflection for grpcurl), and stops cleanly on SIGTERM', async () => {
    const started = { httpUrl: catalog.httpUrl, grpcAddress: catalog.grpcAddress };
    const ready = await fetch(`${started.httpUrl}/readyz`);
    assert.equal(ready.status, 200);
    const pool = createPgPool(db.url, { max: 1 });
    const { rows } = await pool
      .query<{ name: string }>('select name from catalog_migrations')
      .finally(() => pool.end());
    assert.ok(
      rows.some((row) => row.name.endsWith('_catalog')),
      'the catalog migration ran',
    );

    // Without grpcurl this test fails: the gRPC part is what a person checks with it.
    const grpcurl = requireEnv('GRPCURL_BIN');
    const listed = await run(grpcurl, ['-plaintext', started.grpcAddress, 'list']);
    assert.match(listed.stdout, /shop\.catalog\.v1\.CatalogService/);
    assert.match(listed.stdout, /grpc\.health\.v1\.Health/);
    const missing = await run(grpcurl, [
      '-plaintext',
      '-d',
      JSON.stringify({ ids: [randomUUID()] }),
      started.grpcAddress,
      'shop.catalog.v1.CatalogService/GetProducts',
    ]);
    assert.equal(JSON.parse(missing.stdout).products, undefined, 'unknown ids are left out');

    catalog.child.kill('SIGTERM');
    assert.equal(await catalog.exited, 0);
  });
});
