import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';

describe('infrastructure: RabbitMQ', () => {
  let connection: amqp.ChannelModel;
  const exchange = uniqueName('infra.events');
  const queue = uniqueName('infra.queue');

  before(async () => {
    connection = await amqp.connect(infraEnv('AMQP_URL'));
  });

  after(async () => {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
    await connection.close();
  });

  it('confirms a persistent publish and delivers it to a consumer that acks', async () => {
    const publisher = await connection.createConfirmChannel();
    await publisher.assertExchange(exchange, 'topic', { durable: true });
    await publisher.assertQueue(queue, { durable: true });
    await publisher.bindQueue(queue, exchange, 'order.*');

    const body = JSON.stringify({ orderId: 'o-1', totalMinor: 1250 });
    publisher.publish(exchange, 'order.confirmed', Buffer.from(body), {
      persistent: true,
      messageId: 'm-1',
      contentType: 'application/json',
    });
    await publisher.waitForConfirms();

    const consumer = await connection.createChannel();
    const received: amqp.ConsumeMessage[] = [];
    await consumer.consume(queue, (message) => {
      if (message) {
        received.push(message);
        consumer.ack(message);
      }
    });
    await eventually(async () => received.length === 1, 10_000);
    assert.equal(received[0]?.content.toString(), body);
    assert.equal(received[0]?.properties.messageId, 'm-1');
    assert.equal(received[0]?.fields.routingKey, 'order.confirmed');

    // Acked means gone: nothing is left for a second consumer.
    const check = await publisher.checkQueue(queue);
    assert.equal(check.messageCount, 0);
  });

  it('routes nothing for a key no queue is bound to', async () => {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, 'user.registered', Buffer.from('{}'), { persistent: true });
    await channel.waitForConfirms();
    const check = await channel.checkQueue(queue);
    assert.equal(check.messageCount, 0);
  });
});
