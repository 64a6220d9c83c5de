// Reading mail that reached the local Mailpit (MAILPIT_URL, started by `npm run infra -- up mailpit`)
// through its HTTP API, the way a test looks into a real mailbox.
import { requireEnv } from './database.js';
import { waitFor } from './wait.js';

export interface ReceivedMail {
  /** Mailpit's id of the stored message. */
  id: string;
  /** The Message-ID header, without angle brackets. */
  messageId: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
  headers: Record<string, string[]>;
}

interface Summary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string }[];
}

export interface Mailbox {
  /** Every message to `address`, newest first. */
  messagesTo(address: string): Promise<ReceivedMail[]>;
  /** Waits until `address` has at least `count` messages (matching `subject` when given). */
  waitForMail(
    address: string,
    options?: { count?: number; subject?: RegExp; timeoutMs?: number },
  ): Promise<ReceivedMail[]>;
}

export function mailpit(baseUrl = requireEnv('MAILPIT_URL')): Mailbox {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`);
    if (!response.ok) throw new Error(`Mailpit ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const read = async (summary: Summary): Promise<ReceivedMail> => {
    const [message, headers] = await Promise.all([
      get<{ Text: string; HTML: string }>(`/api/v1/message/${summary.ID}`),
      get<Record<string, string[]>>(`/api/v1/message/${summary.ID}/headers`),
    ]);
    return {
      id: summary.ID,
      messageId: summary.MessageID,
      subject: summary.Subject,
      to: summary.To.map((t) => t.Address),
      text: message.Text,
      html: message.HTML,
      headers,
    };
  };
  const messagesTo = async (address: string): Promise<ReceivedMail[]> => {
    const query = encodeURIComponent(`to:"${address}"`);
    const found = await get<{ messages: Summary[] }>(`/api/v1/search?query=${query}&limit=1000`);
    return Promise.all(found.messages.map(read));
  };
  return {
    messagesTo,
    waitForMail: (address, options = {}) =>
      waitFor(
        async () => {
          const mail = (await messagesTo(address)).filter(
            (m) => !options.subject || options.subject.test(m.subject),
          );
          return mail.length >= (options.count ?? 1) ? mail : undefined;
        },
        { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 200, what: `mail to ${address}` },
      ),
  };
}

/** The first link in a message's text whose path starts with `path`. */
export function linkIn(text: string, path: string): string {
  const found = text.match(/https?:\/\/[^\s"<>]+/g)?.find((link) => new URL(link).pathname.startsWith(path));
  if (!found) throw new Error(`no ${path} link in:\n${text}`);
  return found;
}
