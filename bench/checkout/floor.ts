// The floor of a checkout: the database and broker work one order needs at the very least, issued
// straight to the same servers with the same concurrency and no services in between —
//   orders' event appends (placed; stock reserved; payment held + confirmed; captured; stock
//   committed), each its own commit;
//   the catalog's reserve and commit updates, each its own commit;
//   the payments inserts for a hold and its capture (FerretDB);
//   the five broker messages (reserve and commit commands, their replies, order.completed), each a
//   persistent publish with confirm, consumed from a durable queue.
// One "order" runs these in the saga's order, one after another; CONCURRENCY orders run at once.
import { randomUUID } from 'node:crypto';
import { connectRabbit } from '@shopstack/kit';
import { requireEnv } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { type Figures, timed } from '../support/timing.js';

export interface FloorOptions {
  ordersDbUrl: string;
  catalogDbUrl: string;
  count: number;
  concurrency: number;
}

export async function checkoutFloor(options: FloorOptions): Promise<Figures> {
  const orders = new pg.Pool({ connectionString: options.ordersDbUrl, max: options.concurrency });
  const catalog = new pg.Pool({ connectionString: options.catalogDbUrl, max: options.concurrency });
  const mongo = new MongoClient(requireEnv('MONGO_URL'));
  const database = mongo.db(`bench_floor_${randomUUID().slice(0, 8)}`);
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'bench-floor');
  const channel = await connection.createConfirmChannel();
  const queue = `bench.floor.${randomUUID()}`;
  await channel.assertQueue(queue, { durable: true });
  const waiting = new Map<string, () => void>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    channel.ack(message);
    waiting.get(String(message.properties.messageId))?.();
  });
  const roundTrip = async () => {
    const id = randomUUID();
    const consumed = new Promise<void>((resolve) => waiting.set(id, resolve));
    channel.sendToQueue(queue, Buffer.from('{"orderId":"x"}'), { persistent: true, messageId: id });
    await channel.waitForConfirms();
    await consumed;
    waiting.delete(id);
  };
  try {
    await orders.query(
      `create table bench_floor_events (stream_id uuid, version int, data jsonb, primary key (stream_id, version))`,
    );
    await catalog.query('create table bench_floor_stock (id int primary key, reserved bigint not null)');
    await catalog.query('insert into bench_floor_stock values (1, 0), (2, 0)');
    const append = (stream: string, version: number) =>
      orders.query('insert into bench_floor_events values ($1, $2, $3)', [stream, version, '{"n":1}']);
    const stock = (delta: number) =>
      catalog.query('update bench_floor_stock set reserved = reserved + $1 where id = any($2)', [
        delta,
        [1, 2],
      ]);
    const holds = database.collection('holds');
    return await timed(options.count, options.concurrency, async () => {
      const order = randomUUID();
      await append(order, 1); // placed
      await roundTrip(); // reserve-stock command
      await stock(1); // reserve
      await roundTrip(); // reserved reply
      await append(order, 2); // stock reserved
      await holds.insertOne({ _id: `${order}:hold` as never, amount: 1, status: 'authorized' });
      await append(order, 3); // payment held + confirmed
      await holds.insertOne({ _id: `${order}:capture` as never, amount: 1, status: 'captured' });
      await append(order, 4); // captured
      await roundTrip(); // commit-stock command
      await stock(-1); // commit
      await roundTrip(); // committed reply
      await append(order, 5); // stock committed
      await roundTrip(); // order.completed
    });
  } finally {
    await orders.query('drop table if exists bench_floor_events').catch(() => {});
    await catalog.query('drop table if exists bench_floor_stock').catch(() => {});
    await database.dropDatabase().catch(() => {});
    await channel.deleteQueue(queue).catch(() => {});
    await connection.close().catch(() => {});
    await Promise.all([orders.end(), catalog.end(), mongo.close()]);
  }
}
