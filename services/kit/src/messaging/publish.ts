// Publishing one stored message on a confirm channel, the way every message of the shop leaves: as
// persistent JSON with its stable message id and type, under a producer span that is a child of the
// work that stored it (the stored headers carry that trace context; the published ones carry the
// span's own, so consumers continue from it). Used by the outbox relay and by inbox replies.
import { context, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { ConfirmChannel } from 'amqplib';
import { extractTraceContext, injectTraceContext, tracer } from '../tracing.js';

export interface StoredMessage {
  messageId: string;
  exchange: string;
  routingKey: string;
  type: string;
  payload: unknown;
  /** The trace context of the work that stored it. */
  headers: Record<string, string>;
  createdAt: Date;
}

/** Publishes without waiting for the confirm; end the returned span once it came (or failed). */
export function publishStored(channel: ConfirmChannel, message: StoredMessage): Span {
  const span = tracer().startSpan(
    `publish ${message.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': message.exchange,
        'messaging.rabbitmq.destination.routing_key': message.routingKey,
        'messaging.message.id': message.messageId,
      },
    },
    extractTraceContext(message.headers),
  );
  const headers = injectTraceContext({ ...message.headers }, trace.setSpan(context.active(), span));
  channel.publish(message.exchange, message.routingKey, Buffer.from(JSON.stringify(message.payload)), {
    persistent: true,
    messageId: message.messageId,
    type: message.type,
    contentType: 'application/json',
    timestamp: Math.floor(message.createdAt.getTime() / 1000),
    headers,
  });
  return span;
}
