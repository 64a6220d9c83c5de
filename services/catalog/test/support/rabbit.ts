// Publishing integration events the way the orders service does.
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
