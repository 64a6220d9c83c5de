// RabbitMQ connection and topology. Integration events go to topic exchanges; every consumer queue
// is a durable quorum queue with its own dead-letter queue (`<queue>.dead`) for messages it cannot
// handle; `replayDeadLetters` (dead-letters.ts) puts those back once the cause is fixed.
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

/** The dead-letter queue of a consumer queue. */
export const deadLetterQueueOf = (queue: string) => `${queue}.dead`;

const QUORUM = { 'x-queue-type': 'quorum' };

/**
 * Declares a durable quorum queue with its dead-letter queue (also quorum) and binds it. Quorum
 * queues replicate over a clustered broker's nodes, so a node that dies takes no message with it.
 *
 * A queue left classic by an earlier version cannot change type in place: an empty, unused one is
 * deleted and declared again as quorum; one that still holds messages is kept as it is (a warning
 * names it) so nothing is lost, and moves once it has been drained.
 */
export async function declareQueue(
  channel: Channel,
  spec: QueueSpec,
  connection?: ChannelModel,
): Promise<void> {
  const deadLetters = deadLetterQueueOf(spec.queue);
  await assertQuorumQueue(channel, deadLetters, {}, connection);
  await assertQuorumQueue(
    channel,
    spec.queue,
    { deadLetterExchange: '', deadLetterRoutingKey: deadLetters },
    connection,
  );
  for (const { exchange, pattern } of spec.bindings) {
    await declareExchange(channel, exchange);
    await channel.bindQueue(spec.queue, exchange, pattern);
  }
}

async function assertQuorumQueue(
  channel: Channel,
  queue: string,
  options: { deadLetterExchange?: string; deadLetterRoutingKey?: string },
  connection: ChannelModel | undefined,
): Promise<void> {
  if (!connection) {
    await channel.assertQueue(queue, { durable: true, ...options, arguments: QUORUM });
    return;
  }
  // Probed on a channel of its own: a declaration that does not match closes the channel it ran on.
  const probe = await connection.createChannel();
  probe.on('error', () => {});
  try {
    await probe.assertQueue(queue, { durable: true, ...options, arguments: QUORUM });
    await probe.close();
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== 406) throw error; // PRECONDITION_FAILED: another type
  }
  const check = await connection.createChannel();
  try {
    const { messageCount, consumerCount } = await check.checkQueue(queue);
    if (messageCount === 0 && consumerCount === 0) {
      await check.deleteQueue(queue);
      await check.assertQueue(queue, { durable: true, ...options, arguments: QUORUM });
    } else {
      process.emitWarning(
        `queue ${queue} is still classic with ${messageCount} messages; it becomes quorum once drained`,
      );
    }
  } finally {
    await check.close().catch(() => {});
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
