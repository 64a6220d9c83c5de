// A hard crash (SIGKILL) in the middle of concurrent reservations leaves a consistent store: every
// reserved unit belongs to a recorded reservation, none is lost or invented. After a restart, the
// saga's retries (same order ids) converge to exactly the stock there was.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createPgPool, type Pool } from '@shopstack/kit';
import {
  requestJson,
  type SpawnedService,
  serviceDir,
  spawnService,
  testGrpcChannel,
  waitFor,
} from '@shopstack/kit/testing';
import { CatalogServiceDefinition, ReservationStatus } from '@shopstack/proto/shop/catalog/v1/catalog';
import { createClient } from 'nice-grpc';
import { type CatalogTestEnv, createCatalogTestEnv } from '../support/env.js';

const STOCK = 20;
const ORDERS = 60;

describe('catalog crash during reservations', function () {
  this.timeout(120_000);
  let names: CatalogTestEnv;
  let pool: Pool;
  let catalog: SpawnedService | undefined;

  const start = () => spawnService(serviceDir('catalog'), { ...names.env, LOG_LEVEL: 'info' });

  /** Units the product holds as reserved, and units its reserved reservations name: always equal. */
  async function ledger(productId: string) {
    const { rows } = await pool.query<{
      on_hand: number;
      reserved: number;
      held: number;
      reservations: number;
    }>(
      `select p.stock_on_hand as on_hand, p.stock_reserved as reserved,
              (select coalesce(sum(l.quantity), 0)::int from stock_reservation_lines l
                 join stock_reservations r using (order_id)
                where r.status = 'reserved' and l.product_id = p.id) as held,
              (select count(*)::int from stock_reservations r where r.status = 'reserved') as reservations
         from products p where p.id = $1`,
      [productId],
    );
    return rows[0]!;
  }

  before(async () => {
    names = await createCatalogTestEnv('catalog_crash');
    pool = createPgPool(names.db.url, { max: 2 });
  });

  after(async () => {
    await catalog?.kill();
    await pool?.end();
    await names?.cleanup();
  });

  it('keeps reserved units equal to recorded reservations across a SIGKILL, and retries converge', async () => {
    catalog = await start();
    const admin = await names.issuer.token(randomUUID(), 'admin');
    const created = await requestJson(`${catalog.httpUrl}/api/catalog/products`, {
      token: admin,
      body: { name: 'Limited edition', priceMinor: '5000', currency: 'EUR', stockOnHand: STOCK },
    });
    assert.equal(created.status, 201);
    const productId = created.body.id as string;
    const orders = Array.from({ length: ORDERS }, () => randomUUID());
    const lines = [{ productId, quantity: 1 }];

    // Fire every reservation, and kill the process as soon as a few have been answered.
    let channel = await testGrpcChannel(catalog.grpcAddress, 'orders');
    let client = createClient(CatalogServiceDefinition, channel);
    let answered = 0;
    const inFlight = orders.map((orderId) =>
      client.reserveStock({ orderId, lines }).then(
        () => {
          answered++;
        },
        () => {},
      ),
    );
    await waitFor(() => answered >= 3, { what: 'the first answers' });
    catalog.child.kill('SIGKILL');
    await catalog.exited;
    await Promise.all(inFlight);
    channel.close();
    assert.ok(answered < ORDERS, 'the crash interrupted the run');

    const afterCrash = await ledger(productId);
    assert.equal(afterCrash.on_hand, STOCK);
    assert.equal(afterCrash.reserved, afterCrash.held, 'reserved units match recorded reservations');
    assert.ok(afterCrash.reserved <= STOCK);

    // Restart on the same database; the saga retries every order with the same id.
    catalog = await start();
    channel = await testGrpcChannel(catalog.grpcAddress, 'orders');
    client = createClient(CatalogServiceDefinition, channel);
    const outcomes = await Promise.all(orders.map((orderId) => client.reserveStock({ orderId, lines })));
    channel.close();
    const reserved = outcomes.filter(
      (o) => o.reservation?.status === ReservationStatus.RESERVATION_STATUS_RESERVED,
    );
    assert.equal(reserved.length, STOCK);
    assert.deepEqual(await ledger(productId), {
      on_hand: STOCK,
      reserved: STOCK,
      held: STOCK,
      reservations: STOCK,
    });
  });
});
