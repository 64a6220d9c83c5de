// Sandbox SMS and push providers: they record what they were asked to send (inspect with `sent`) and
// can be told to fail or to be slow, so retries and backpressure are testable without a real provider.
// The local platform switches them on (SANDBOX_PROVIDERS=true); nothing is ever sent anywhere.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingShortMessage, ShortMessageProvider } from '../app/ports.js';

export interface SandboxProvider extends ShortMessageProvider {
  readonly sent: OutgoingShortMessage[];
  /** Every send fails with this message until cleared (undefined). */
  failWith(message: string | undefined): void;
  /** Every send takes this long. */
  delay(ms: number): void;
}

export function createSandboxProvider(channel: 'sms' | 'push'): SandboxProvider {
  let failure: string | undefined;
  let delayMs = 0;
  const sent: OutgoingShortMessage[] = [];
  return {
    name: `sandbox-${channel}`,
    channel,
    sent,
    failWith: (message) => {
      failure = message;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    async send(message) {
      if (delayMs > 0) await sleep(delayMs);
      if (failure) throw new Error(failure);
      sent.push(message);
      return `${channel}-${randomUUID()}`;
    },
    async close() {},
  };
}
