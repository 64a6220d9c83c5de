// A message contract: the one definition of a message that crosses services over RabbitMQ, imported
// by its producer and by each consumer. Versioned like the order events: the producer writes its
// `schemaVersion` into the payload; a change that would break a consumer gets a new version, and
// consumers upcast the old ones. Consumers ignore fields they do not know, so adding one is no break.
import type { z } from 'zod';

export interface MessageContract<Schema extends z.ZodType> {
  /** The AMQP `type` property (and, for events, the routing key). */
  readonly type: string;
  readonly version: number;
  readonly schema: Schema;
  /** What the producer writes: its payload checked against the contract, with the version. */
  encode(payload: z.input<Schema>): z.output<Schema> & { schemaVersion: number };
  /** What the consumer reads; throws (a ZodError naming the fields) on a payload that breaks it. */
  parse(payload: unknown): z.output<Schema>;
  safeParse(payload: unknown): ReturnType<Schema['safeParse']>;
}

export function defineMessage<Schema extends z.ZodType>(
  type: string,
  version: number,
  schema: Schema,
): MessageContract<Schema> {
  return {
    type,
    version,
    schema,
    encode: (payload) => ({ ...(schema.parse(payload) as object), schemaVersion: version }) as never,
    parse: (payload) => schema.parse(payload),
    safeParse: (payload) => schema.safeParse(payload) as ReturnType<Schema['safeParse']>,
  };
}

export type PayloadOf<C> = C extends MessageContract<infer S> ? z.output<S> : never;
