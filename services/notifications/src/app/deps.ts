// What the application layer works with; assembled in service.ts.
import type { Logger, Pool, Sealer } from '@shopstack/kit';
import type { UnsubscribeTokens } from '../adapters/unsubscribe-tokens.js';
import type { RetryPolicy } from '../domain/retry.js';
import type { TargetPolicy } from '../domain/target-policy.js';
import type { Dispatcher } from './dispatcher.js';

export interface WebhookSettings {
  targets: TargetPolicy;
  /** How long a rotated-out secret still signs, unless the rotation asks for another overlap. */
  secretOverlapMs: number;
  maxEndpointsPerOwner: number;
}

export interface NotificationsDeps {
  pool: Pool;
  logger: Logger;
  tokens: UnsubscribeTokens;
  /** Seals webhook signing secrets at rest; undefined stores them as they are. */
  sealer: Sealer | undefined;
  dispatcher: Pick<Dispatcher, 'wake'>;
  /** The webhook sender, woken when deliveries were queued. */
  webhookSender: { wake(): void };
  settings: { publicUrl: string; retry: RetryPolicy; webhooks: WebhookSettings };
}
