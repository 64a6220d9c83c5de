// Message templates: each one declares its category and the typed variables it renders from (a zod
// schema, checked before anything is stored), and has a text for every shipped locale. Templates are
// TypeScript functions rather than a template engine: the compiler checks every variable they use,
// and HTML output goes through one escaping function.
import { z } from 'zod';
import { formatMoney } from './money.js';
import type { Category, Locale } from './preferences.js';

export interface RenderedMessage {
  subject: string;
  text: string;
  /** Body of the HTML part (inside the common layout). */
  html: string;
  /** Short form for SMS and push. */
  short: string;
}

const minor = z.string().regex(/^-?\d{1,18}$/, 'an integer amount in minor units');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');
const link = z.url();

const VARIABLES = {
  email_verification: z.object({ link }),
  password_reset: z.object({ link }),
  account_blocked: z.object({ reason: z.string().max(500).optional() }),
  order_receipt: z.object({
    orderId: z.string().min(1),
    lines: z
      .array(
        z.object({
          productId: z.string().min(1),
          quantity: z.number().int().positive(),
          unitPriceMinor: minor,
        }),
      )
      .min(1),
    totalMinor: minor,
    currency,
  }),
  order_cancelled: z.object({ orderId: z.string().min(1), reason: z.string().min(1) }),
  order_refunded: z.object({ orderId: z.string().min(1), amountMinor: minor, currency }),
  payment_received: z.object({ kind: z.enum(['topup', 'transfer', 'refund']), amountMinor: minor, currency }),
  payment_sent: z.object({ kind: z.enum(['withdrawal']), amountMinor: minor, currency }),
  newsletter: z.object({ headline: z.string().min(1).max(200), body: z.string().min(1).max(5000) }),
  webhook_disabled: z.object({ url: z.string().min(1).max(2000), reason: z.string().min(1).max(500) }),
} as const;

export type TemplateName = keyof typeof VARIABLES;
export const TEMPLATE_NAMES = Object.keys(VARIABLES) as TemplateName[];
export type TemplateVariables<T extends TemplateName> = z.infer<(typeof VARIABLES)[T]>;

export const TEMPLATE_CATEGORY: Record<TemplateName, Category> = {
  email_verification: 'security',
  password_reset: 'security',
  account_blocked: 'security',
  order_receipt: 'receipts',
  order_cancelled: 'receipts',
  order_refunded: 'receipts',
  payment_received: 'payments',
  payment_sent: 'payments',
  newsletter: 'marketing',
  webhook_disabled: 'security',
};

export class TemplateVariablesError extends Error {
  constructor(
    readonly template: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(`variables of ${template} are invalid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  }
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(VARIABLES, name);
}

/** Checks variables against the template's schema; the parsed value is what gets stored. */
export function checkVariables<T extends TemplateName>(
  template: T,
  variables: unknown,
): TemplateVariables<T> {
  const result = VARIABLES[template].safeParse(variables);
  if (!result.success)
    throw new TemplateVariablesError(
      template,
      result.error.issues.map((issue) => ({
        field: ['variables', ...issue.path].join('.'),
        message: issue.message,
      })),
    );
  return result.data as TemplateVariables<T>;
}

// The five characters that matter in HTML text and attribute values; a library would add nothing here.
const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const button = (href: string, label: string) =>
  `<p><a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(label)}</a></p>`;

type Renderers = { [T in TemplateName]: (v: TemplateVariables<T>, locale: Locale) => RenderedMessage };

const CANCEL_REASONS: Record<Locale, Record<string, string>> = {
  en: {
    out_of_stock: 'an item ran out of stock',
    insufficient_funds: 'there was not enough money on the account',
    payment_declined: 'the payment was declined',
    stock_timeout: 'the warehouse did not answer in time',
    payment_timeout: 'the payment did not complete in time',
    cancelled_by_customer: 'you cancelled it',
    cancelled_by_shop: 'the shop cancelled it; any money held for it is released',
  },
  ru: {
    out_of_stock: 'товар закончился на складе',
    insufficient_funds: 'на счёте не хватило денег',
    payment_declined: 'платёж отклонён',
    stock_timeout: 'склад не ответил вовремя',
    payment_timeout: 'платёж не завершился вовремя',
    cancelled_by_customer: 'вы отменили заказ',
    cancelled_by_shop: 'магазин отменил заказ; удержанные за него деньги возвращены',
  },
};

const T = {
  en: {
    verifySubject: 'Confirm your email address',
    verifyText: 'Welcome to ShopStack. Confirm your email address by opening this link:',
    verifyButton: 'Confirm email',
    resetSubject: 'Reset your password',
    resetText:
      'Someone asked to reset the password of your ShopStack account. If it was you, open this link:',
    resetIgnore: 'If it was not you, ignore this message; your password stays as it is.',
    resetButton: 'Choose a new password',
    blockedSubject: 'Your account has been blocked',
    blockedText: 'Your ShopStack account has been blocked and you can no longer sign in.',
    blockedReason: 'Reason:',
    receiptSubject: (id: string) => `Your receipt for order ${id}`,
    receiptIntro: 'Thank you for your order. Here is your receipt:',
    total: 'Total',
    cancelledSubject: (id: string) => `Order ${id} was cancelled`,
    cancelledText: (reason: string) => `Your order was cancelled because ${reason}. Nothing was charged.`,
    refundedSubject: (id: string) => `Refund for order ${id}`,
    refundedText: (amount: string) => `We refunded ${amount} to your account.`,
    received: { topup: 'Top-up completed', transfer: 'You received a transfer', refund: 'Refund received' },
    receivedText: (amount: string) => `${amount} arrived on your account.`,
    sent: { withdrawal: 'Withdrawal completed' },
    sentText: (amount: string) => `${amount} left your account.`,
    webhookSubject: 'A webhook endpoint of yours was disabled',
    webhookText: (url: string, reason: string) =>
      `We stopped sending webhooks to ${url}: ${reason}. Fix the receiver, then enable the endpoint again; nothing that was not delivered is lost.`,
  },
  ru: {
    verifySubject: 'Подтвердите адрес электронной почты',
    verifyText: 'Добро пожаловать в ShopStack. Подтвердите адрес электронной почты по ссылке:',
    verifyButton: 'Подтвердить адрес',
    resetSubject: 'Сброс пароля',
    resetText:
      'Кто-то запросил сброс пароля вашей учётной записи ShopStack. Если это были вы, откройте ссылку:',
    resetIgnore: 'Если это были не вы, просто проигнорируйте письмо: пароль останется прежним.',
    resetButton: 'Задать новый пароль',
    blockedSubject: 'Ваша учётная запись заблокирована',
    blockedText: 'Ваша учётная запись ShopStack заблокирована, войти в неё больше нельзя.',
    blockedReason: 'Причина:',
    receiptSubject: (id: string) => `Чек по заказу ${id}`,
    receiptIntro: 'Спасибо за заказ. Ваш чек:',
    total: 'Итого',
    cancelledSubject: (id: string) => `Заказ ${id} отменён`,
    cancelledText: (reason: string) => `Ваш заказ отменён: ${reason}. Деньги не списаны.`,
    refundedSubject: (id: string) => `Возврат по заказу ${id}`,
    refundedText: (amount: string) => `Мы вернули ${amount} на ваш счёт.`,
    received: { topup: 'Пополнение зачислено', transfer: 'Вам пришёл перевод', refund: 'Возврат зачислен' },
    receivedText: (amount: string) => `На ваш счёт поступило ${amount}.`,
    sent: { withdrawal: 'Вывод средств выполнен' },
    sentText: (amount: string) => `С вашего счёта списано ${amount}.`,
    webhookSubject: 'Ваш адрес для вебхуков отключён',
    webhookText: (url: string, reason: string) =>
      `Мы перестали отправлять вебхуки на ${url}: ${reason}. Исправьте приёмник и включите адрес снова; недоставленные события не потеряются.`,
  },
} as const;

const plain = (subject: string, lines: string[], htmlExtra = ''): RenderedMessage => ({
  subject,
  text: lines.join('\n\n'),
  html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') + htmlExtra,
  short: `${subject}. ${lines[0] ?? ''}`.slice(0, 300),
});

const RENDERERS: Renderers = {
  email_verification: ({ link }, l) => ({
    subject: T[l].verifySubject,
    text: `${T[l].verifyText}\n\n${link}\n`,
    html: `<p>${escapeHtml(T[l].verifyText)}</p>${button(link, T[l].verifyButton)}<p style="font-size:12px">${escapeHtml(link)}</p>`,
    short: `${T[l].verifySubject}: ${link}`,
  }),
  password_reset: ({ link }, l) => ({
    subject: T[l].resetSubject,
    text: `${T[l].resetText}\n\n${link}\n\n${T[l].resetIgnore}\n`,
    html: `<p>${escapeHtml(T[l].resetText)}</p>${button(link, T[l].resetButton)}<p>${escapeHtml(T[l].resetIgnore)}</p>`,
    short: `${T[l].resetSubject}: ${link}`,
  }),
  account_blocked: ({ reason }, l) =>
    plain(T[l].blockedSubject, [T[l].blockedText, ...(reason ? [`${T[l].blockedReason} ${reason}`] : [])]),
  order_receipt: (v, l) => {
    const rows = v.lines.map((line) => {
      const lineTotal = (BigInt(line.unitPriceMinor) * BigInt(line.quantity)).toString();
      return {
        item: line.productId,
        quantity: line.quantity,
        unit: formatMoney(line.unitPriceMinor, v.currency, l),
        total: formatMoney(lineTotal, v.currency, l),
      };
    });
    const total = formatMoney(v.totalMinor, v.currency, l);
    const text = [
      T[l].receiptIntro,
      ...rows.map((r) => `${r.item}  ${r.quantity} × ${r.unit} = ${r.total}`),
      `${T[l].total}: ${total}`,
    ].join('\n');
    const html = `<p>${escapeHtml(T[l].receiptIntro)}</p><table cellpadding="4">${rows
      .map(
        (r) =>
          `<tr><td>${escapeHtml(r.item)}</td><td>${r.quantity} × ${escapeHtml(r.unit)}</td><td align="right">${escapeHtml(r.total)}</td></tr>`,
      )
      .join(
        '',
      )}<tr><td colspan="2"><b>${escapeHtml(T[l].total)}</b></td><td align="right"><b>${escapeHtml(total)}</b></td></tr></table>`;
    return {
      subject: T[l].receiptSubject(v.orderId),
      text,
      html,
      short: `${T[l].receiptSubject(v.orderId)}: ${total}`,
    };
  },
  order_cancelled: ({ orderId, reason }, l) =>
    plain(T[l].cancelledSubject(orderId), [T[l].cancelledText(CANCEL_REASONS[l][reason] ?? reason)]),
  order_refunded: ({ orderId, amountMinor, currency: c }, l) =>
    plain(T[l].refundedSubject(orderId), [T[l].refundedText(formatMoney(amountMinor, c, l))]),
  payment_received: ({ kind, amountMinor, currency: c }, l) =>
    plain(T[l].received[kind], [T[l].receivedText(formatMoney(amountMinor, c, l))]),
  payment_sent: ({ kind, amountMinor, currency: c }, l) =>
    plain(T[l].sent[kind], [T[l].sentText(formatMoney(amountMinor, c, l))]),
  newsletter: ({ headline, body }) => plain(headline, body.split(/\n{2,}/)),
  webhook_disabled: ({ url, reason }, l) => plain(T[l].webhookSubject, [T[l].webhookText(url, reason)]),
};

/** Renders a stored delivery; variables are checked again, so a bad row fails loudly, not half-rendered. */
export function renderTemplate(template: TemplateName, variables: unknown, locale: Locale): RenderedMessage {
  const checked = checkVariables(template, variables);
  return (RENDERERS[template] as (v: unknown, l: Locale) => RenderedMessage)(checked, locale);
}

/** The common HTML document around a body, with the unsubscribe line at the foot. */
export function htmlDocument(body: string, unsubscribeUrl: string, locale: Locale): string {
  const unsubscribe =
    locale === 'ru' ? 'Отписаться от необязательных писем' : 'Unsubscribe from optional messages';
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;max-width:600px">${body}<hr><p style="font-size:12px;color:#666">ShopStack · <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(unsubscribe)}</a></p></body></html>`;
}
