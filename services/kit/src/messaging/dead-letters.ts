// A consumer's dead-letter queue (`<queue>.dead`) holds what its handler failed on twice. Once the
// cause is fixed, replay moves those messages back onto the consumer's queue — each republished
// with a publisher confirm before it is removed from the dead-letter queue, so a replay cut short
// loses nothing (at worst a message is both back and still dead; the inbox drops the repeat).
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { connectRabbit, deadLetterQueueOf } from './rabbit.js';

export interface DeadLetterSummary {
  queue: string;
  deadLetters: number;
}

export async function countDeadLetters(amqpUrl: string, queue: string): Promise<DeadLetterSummary> {
  const connection = await connectRabbit(amqpUrl, 'dead-letters');
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(deadLetterQueueOf(queue));
    return { queue, deadLetters: messageCount };
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Moves up to `limit` dead letters back onto `queue`; returns how many moved. */
export async function replayDeadLetters(
  amqpUrl: string,
  queue: string,
  options: { limit?: number } = {},
): Promise<number> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const connection = await connectRabbit(amqpUrl, 'dead-letters replay');
  try {
    const channel = await connection.createConfirmChannel();
    const deadLetters = deadLetterQueueOf(queue);
    let moved = 0;
    while (moved < limit) {
      const message = await channel.get(deadLetters, { noAck: false });
      if (message === false) break;
      await republish(channel, queue, message);
      channel.ack(message);
      moved++;
    }
    return moved;
  } finally {
    await connection.close().catch(() => {});
  }
}

function republish(channel: ConfirmChannel, queue: string, message: GetMessage): Promise<void> {
  const { headers = {}, ...properties } = message.properties;
  // x-death is the broker's record of the dead-lettering; the replayed message starts afresh.
  const {
    'x-death': _death,
    'x-first-death-exchange': _e,
    'x-first-death-queue': _q,
    'x-first-death-reason': _r,
    ...kept
  } = headers as Record<string, unknown>;
  return new Promise((resolve, reject) => {
    channel.sendToQueue(
      queue,
      message.content,
      {
        ...stripUndefined(properties),
        headers: { ...kept, 'x-replayed-from': deadLetterQueueOf(queue) },
        persistent: true,
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

function stripUndefined(properties: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).filter(([, value]) => value !== undefined && value !== null),
  );
}
