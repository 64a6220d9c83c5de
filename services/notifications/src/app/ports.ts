// What the application needs from the outside world. Real providers drop in behind these shapes.
import type { Channel } from '../domain/preferences.js';

export interface OutgoingEmail {
  /** Stable per delivery, so a resend after a crash carries the same Message-ID. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 2369 / RFC 8058 one-click unsubscribe. */
  unsubscribeUrl: string;
}

export interface OutgoingShortMessage {
  /** Idempotency key for providers that accept one. */
  messageId: string;
  to: string;
  text: string;
}

/** Sends one message; resolves with the provider's id for it, rejects when it was not accepted. */
export interface EmailProvider {
  readonly name: string;
  send(message: OutgoingEmail): Promise<string>;
  close(): Promise<void>;
}

export interface ShortMessageProvider {
  readonly name: string;
  readonly channel: Exclude<Channel, 'email'>;
  send(message: OutgoingShortMessage): Promise<string>;
  close(): Promise<void>;
}

/** Looks up where to reach a user; undefined when the user does not exist (any more). */
export interface Directory {
  contactOf(userId: string): Promise<{ email: string; phone?: string } | undefined>;
  close(): void;
}
