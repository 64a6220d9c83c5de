// A test queue bound to an exchange, to observe what a service really published.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { connectRabbit, deadLetterQueueOf, declareExchange } from '../messaging/rabbit.js';
import { randomSuffix, requireEnv } from './database.js';

export interface TestQueue {
  name: string;
  /** Every message received so far, in arrival order. */
  messages: ConsumeMessage[];
  close(): Promise<void>;
}

/** An exchange name unique to this run, e.g. `shop.events.1a2b3c4d`. */
export function testExchangeName(prefix = 'shop.events'): string {
  return `${prefix}.${randomSuffix()}`;
}

export async function createTestQueue(
  exchange: string,
  pattern = '#',
  amqpUrl = requireEnv('AMQP_URL'),
): Promise<TestQueue> {
  const connection: ChannelModel = await connectRabbit(amqpUrl, 'test-queue');
  const channel: Channel = await connection.createChannel();
  await declareExchange(channel, exchange);
  const name = `test.${randomSuffix()}`;
  await channel.assertQueue(name, { exclusive: true, autoDelete: true });
  await channel.bindQueue(name, exchange, pattern);
  const messages: ConsumeMessage[] = [];
  await channel.consume(
    name,
    (message) => {
      if (message) messages.push(message);
    },
    { noAck: true },
  );
  return {
    name,
    messages,
    async close() {
      await connection.close().catch(() => {});
    },
  };
}

/** Deletes an exchange created for a test. */
export async function deleteExchange(exchange: string, amqpUrl = requireEnv('AMQP_URL')): Promise<void> {
  const connection = await connectRabbit(amqpUrl, 'test-cleanup');
  try {
    const channel = await connection.createChannel();
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Deletes a test's consumer queues and the dead-letter queue beside each (declareQueue makes both). */
export async function deleteConsumerQueues(
  queues: string[],
  amqpUrl = requireEnv('AMQP_URL'),
): Promise<void> {
  const connection = await connectRabbit(amqpUrl, 'test-cleanup');
  try {
    const channel = await connection.createChannel();
    for (const queue of queues.flatMap((q) => [q, deadLetterQueueOf(q)])) await channel.deleteQueue(queue);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Messages waiting in a queue (e.g. a dead-letter queue). */
export async function queueDepth(queue: string, amqpUrl = requireEnv('AMQP_URL')): Promise<number> {
  const connection = await connectRabbit(amqpUrl, 'test-inspect');
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close().catch(() => {});
  }
}
