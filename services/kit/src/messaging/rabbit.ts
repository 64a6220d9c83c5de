// RabbitMQ connection and topology. Integration events go to topic exchanges; every consumer queue
// is durable and has its own dead-letter queue (`<queue>.dead`) for messages it cannot handle.
import amqp, { type Channel, type ChannelModel } from 'amqplib';

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';

export async function connectRabbit(url: string, name = 'shopstack'): Promise<ChannelModel> {
  // TCP_NODELAY: without it Nagle's algorithm holds small frames back, and a publish waiting for its
  // confirm costs tens of milliseconds under concurrency (bench/checkout measures both).
  const connection = await amqp.connect(url, { noDelay: true, clientProperties: { connection_name: name } });
  // Without a listener an 'error' event would crash the process; owners watch 'close' instead.
  connection.on('error', () => {});
  return connection;
}

export async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

export interface QueueSpec {
  queue: string;
  bindings: { exchange: string; pattern: string }[];
}

/** Declares a durable queue with its dead-letter queue and binds it. */
export async function declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
  const deadLetters = `${spec.queue}.dead`;
  await channel.assertQueue(deadLetters, { durable: true });
  await channel.assertQueue(spec.queue, {
    durable: true,
    deadLetterExchange: '',
    deadLetterRoutingKey: deadLetters,
  });
  for (const { exchange, pattern } of spec.bindings) {
    await declareExchange(channel, exchange);
    await channel.bindQueue(spec.queue, exchange, pattern);
  }
}

/** Readiness check for /readyz: the connection is open. */
export function rabbitReadiness(isConnected: () => boolean) {
  return {
    name: 'rabbitmq',
    check: async () => {
      if (!isConnected()) throw new Error('not connected');
    },
  };
}
