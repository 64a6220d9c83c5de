// Email over SMTP with nodemailer: a pooled transport, HTML + text alternatives, List-Unsubscribe with
// one-click (RFC 8058), and the delivery's own Message-ID.
import nodemailer from 'nodemailer';
import type { EmailProvider, OutgoingEmail } from '../app/ports.js';

export interface SmtpOptions {
  url: string;
  requireTls: boolean;
  from: string;
  maxConnections?: number;
}

export function createSmtpProvider(options: SmtpOptions): EmailProvider {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 10,
    // Without TLS required, a server that offers STARTTLS is still upgraded to; one that does not is
    // used in plain text (a local development server only: the local platform sets this).
    requireTLS: options.requireTls,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    name: 'smtp',
    async send(message: OutgoingEmail) {
      const info = await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        list: { unsubscribe: { url: message.unsubscribeUrl, comment: 'Unsubscribe' } },
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      return String(info.messageId ?? message.messageId);
    },
    async close() {
      transport.close();
    },
  };
}
