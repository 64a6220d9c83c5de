// Stock corrections from the back office over the real gRPC API on PostgreSQL: the count is set, the
// correction is recorded with who, why, before and after, and its repair.recorded event is in the
// outbox of the same transaction; a repeat under its key changes nothing; a count below the reserved
// units, another use of the key and bad input are refused with nothing changed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { repairRecorded } from '@shopstack/proto/messages';
import { ClientError, Status } from 'nice-grpc';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct, stockOf } from '../support/fixtures.js';

describe('catalog stock corrections (back office)', function () {
  this.timeout(60_000);
  let catalog: TestCatalog;
  let owner: string;
  const admin = randomUUID();

  before(async () => {
    catalog = await startTestCatalog();
    owner = await catalog.issuer.token(randomUUID(), 'admin');
  });
  after(async () => catalog?.stop());

  const refusedWith = (status: Status) => (error: unknown) =>
    error instanceof ClientError && error.code === status;
  const correctionsOf = async (productId: string) =>
    (
      await catalog.service.deps.pool.query(
        'select actor_id, reason, on_hand_before, on_hand_after, reserved from stock_corrections where product_id = $1',
        [productId],
      )
    ).rows;
  const eventsOf = async (productId: string) =>
    (
      await catalog.service.deps.pool.query<{ payload: unknown }>(
        `select payload from kit_outbox where message_type = $1 and payload->>'subjectId' = $2`,
        [repairRecorded.type, productId],
      )
    ).rows.map((row) => repairRecorded.parse(row.payload));

  it('sets the counted units, records who, why, before and after, and publishes repair.recorded', async () => {
    const product = await createProduct(catalog, owner, { stockOnHand: 10 });
    await catalog.grpc.reserveStock({
      orderId: randomUUID(),
      lines: [{ productId: product.id, quantity: 3 }],
    });
    const command = {
      idempotencyKey: randomUUID(),
      productId: product.id,
      onHand: 7,
      actorId: admin,
      reason: 'stock-take found 3 broken units',
    };
    const { correction } = await catalog.backOfficeGrpc.correctStock(command);
    assert.deepEqual(
      [correction?.onHandBefore, correction?.onHandAfter, correction?.reserved, correction?.actorId],
      [10, 7, 3, admin],
    );
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 7, reserved: 3, available: 4 });

    // The same request again: the first correction, nothing new.
    const again = await catalog.backOfficeGrpc.correctStock(command);
    assert.equal(again.correction?.correctionId, correction?.correctionId);
    await assert.rejects(
      catalog.backOfficeGrpc.correctStock({ ...command, onHand: 8 }),
      refusedWith(Status.ALREADY_EXISTS),
    );
    assert.deepEqual(await correctionsOf(product.id), [
      { actor_id: admin, reason: command.reason, on_hand_before: 10, on_hand_after: 7, reserved: 3 },
    ]);
    const events = await eventsOf(product.id);
    assert.equal(events.length, 1);
    assert.deepEqual(
      [events[0]?.kind, events[0]?.service, events[0]?.actorId, events[0]?.before, events[0]?.after],
      ['stock_correction', 'catalog', admin, { onHand: 10, reserved: 3 }, { onHand: 7, reserved: 3 }],
    );
  });

  it('refuses a count below the reserved units, an unknown product and bad input; nothing changes', async () => {
    const product = await createProduct(catalog, owner, { stockOnHand: 5 });
    await catalog.grpc.reserveStock({
      orderId: randomUUID(),
      lines: [{ productId: product.id, quantity: 4 }],
    });
    const base = { productId: product.id, onHand: 2, actorId: admin, reason: 'recount' };
    await assert.rejects(
      catalog.backOfficeGrpc.correctStock({ ...base, idempotencyKey: randomUUID() }),
      refusedWith(Status.ALREADY_EXISTS),
    );
    await assert.rejects(
      catalog.backOfficeGrpc.correctStock({ ...base, idempotencyKey: randomUUID(), productId: randomUUID() }),
      refusedWith(Status.NOT_FOUND),
    );
    for (const bad of [
      { onHand: -1 },
      { reason: '' },
      { idempotencyKey: 'has spaces' },
      { productId: 'nope' },
    ])
      await assert.rejects(
        catalog.backOfficeGrpc.correctStock({ ...base, idempotencyKey: randomUUID(), onHand: 6, ...bad }),
        refusedWith(Status.INVALID_ARGUMENT),
      );
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 5, reserved: 4, available: 1 });
    assert.deepEqual(await correctionsOf(product.id), []);
    assert.deepEqual(await eventsOf(product.id), []);
  });
});
