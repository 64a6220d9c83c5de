// What the application layer works with; assembled in service.ts.
import type { Logger, Pool } from '@shopstack/kit';
import type { UnsubscribeTokens } from '../adapters/unsubscribe-tokens.js';
import type { RetryPolicy } from '../domain/retry.js';
import type { Dispatcher } from './dispatcher.js';

export interface NotificationsDeps {
  pool: Pool;
  logger: Logger;
  tokens: UnsubscribeTokens;
  dispatcher: Pick<Dispatcher, 'wake'>;
  settings: { publicUrl: string; retry: RetryPolicy };
}
