// Publishing integration events the way the orders service does, and cleaning up test queues.
import { connectRabbit } from '@shopstack/kit';
import { requireEnv } from '@shopstack/kit/testing';

export async function publishEvent(
  exchange: string,
  routingKey: string,
  payload: unknown,
  messageId: string,
): Promise<void> {
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'catalog-test-publisher');
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(payload)), {
      persistent: true,
      messageId,
      type: routingKey,
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close().catch(() => {});
  }
}

export async function deleteQueue(queue: string): Promise<void> {
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'catalog-test-cleanup');
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Messages waiting in a queue (e.g. a dead-letter queue). */
export async function queueDepth(queue: string): Promise<number> {
  const connection = await connectRabbit(requireEnv('AMQP_URL'), 'catalog-test-inspect');
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close().catch(() => {});
  }
}
