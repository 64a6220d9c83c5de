// Pure rules: templates from typed variables, preferences, retry gaps, events to messages.
import assert from 'node:assert/strict';
import { intentFor } from '../src/domain/events.js';
import { formatMoney } from '../src/domain/money.js';
import { categoriesToSwitchOff, channelsFor, isAdjustable, optInKey } from '../src/domain/preferences.js';
import { isExhausted, retryDelayMs } from '../src/domain/retry.js';
import { checkVariables, renderTemplate, TemplateVariablesError } from '../src/domain/templates.js';

describe('notifications domain', () => {
  describe('templates', () => {
    it('renders a receipt with line totals and the total in the reader’s language', () => {
      const variables = {
        orderId: 'o-1',
        lines: [{ productId: 'p-espresso', quantity: 2, unitPriceMinor: '3490' }],
        totalMinor: '6980',
        currency: 'EUR',
      };
      const en = renderTemplate('order_receipt', variables, 'en');
      assert.match(en.subject, /order o-1/);
      assert.match(en.text, /p-espresso\s+2 × €34\.90 = €69\.80/);
      assert.match(en.text, /Total: €69\.80/);
      const ru = renderTemplate('order_receipt', variables, 'ru');
      assert.match(ru.subject, /Чек по заказу o-1/);
      assert.match(ru.text, /Итого: 69,80\s€/);
    });

    it('escapes variables in HTML and renders nothing from unchecked input', () => {
      const rendered = renderTemplate('account_blocked', { reason: '<script>x</script>' }, 'en');
      assert.doesNotMatch(rendered.html, /<script>/);
      assert.match(rendered.html, /&lt;script&gt;/);
      assert.throws(
        () =>
          checkVariables('order_receipt', { orderId: 'o', lines: [], totalMinor: '1.5', currency: 'eur' }),
        (error: unknown) => {
          assert.ok(error instanceof TemplateVariablesError);
          const fields = error.issues.map((i) => i.field).sort();
          assert.deepEqual(fields, ['variables.currency', 'variables.lines', 'variables.totalMinor']);
          return true;
        },
      );
      assert.throws(
        () => renderTemplate('email_verification', { link: 'not a url' }, 'en'),
        TemplateVariablesError,
      );
    });

    it('formats minor units exactly, whatever the currency’s decimals', () => {
      assert.equal(formatMoney('123456789012345678', 'EUR', 'en'), '€1,234,567,890,123,456.78');
      assert.equal(formatMoney('500', 'JPY', 'en'), '¥500');
      assert.equal(formatMoney('-5', 'USD', 'en'), '-$0.05');
    });
  });

  describe('preferences', () => {
    it('always sends transactional mail by email and everything else only when opted in', () => {
      assert.deepEqual(channelsFor('security', new Map()), ['email']);
      assert.deepEqual(channelsFor('marketing', new Map()), []);
      const optIns = new Map([
        [optInKey('marketing', 'push'), true],
        [optInKey('receipts', 'sms'), true],
        [optInKey('receipts', 'email'), false],
      ]);
      assert.deepEqual(channelsFor('marketing', optIns), ['push']);
      assert.deepEqual(
        channelsFor('receipts', optIns),
        ['email', 'sms'],
        'a stored "no" cannot stop transactional email',
      );
      assert.equal(isAdjustable('security', 'email'), false);
      assert.equal(isAdjustable('security', 'sms'), true);
    });

    it('unsubscribes from optional categories only', () => {
      assert.deepEqual(categoriesToSwitchOff('all_optional'), ['marketing', 'product_news']);
      assert.deepEqual(categoriesToSwitchOff('marketing'), ['marketing']);
      assert.deepEqual(categoriesToSwitchOff('security'), []);
    });
  });

  describe('retries', () => {
    const policy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 };
    it('waits longer after every failure, with jitter, up to the cap', () => {
      assert.equal(retryDelayMs(policy, 1, 0), 500);
      assert.equal(retryDelayMs(policy, 1, 0.999), 1_000);
      assert.ok(retryDelayMs(policy, 20, 0.999999) <= 60_000);
      assert.equal(retryDelayMs(policy, 3, 0), 2_000);
      assert.equal(retryDelayMs(policy, 20, 0.999), 59_970);
      const lows = [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n, 0));
      assert.deepEqual(
        lows,
        [...lows].sort((a, b) => a - b),
      );
      assert.equal(isExhausted(policy, 4), false);
      assert.equal(isExhausted(policy, 5), true);
    });
  });

  describe('events', () => {
    const base = { publicUrl: 'https://shop.example.com/' };
    it('turns a verification request into a link to the shop', () => {
      const intent = intentFor(
        'user.email_verification_requested',
        { userId: 'u1', email: 'ann@example.com', token: 'a+b/c' },
        base,
      );
      assert.deepEqual(intent, {
        template: 'email_verification',
        userId: 'u1',
        email: 'ann@example.com',
        variables: { link: 'https://shop.example.com/api/users/verify-email?token=a%2Bb%2Fc' },
      });
    });

    it('makes receipts and money notices, ignores what it does not know, refuses malformed events', () => {
      const receipt = intentFor(
        'order.completed',
        {
          orderId: 'o1',
          userId: 'u1',
          lines: [{ productId: 'p', quantity: 1, unitPriceMinor: '5', currency: 'EUR' }],
          totalMinor: '5',
          currency: 'EUR',
        },
        base,
      );
      assert.equal(receipt?.template, 'order_receipt');
      const topUp = intentFor(
        'payment.topup_completed',
        {
          userId: 'u1',
          paymentId: 'p1',
          amountMinor: '1000',
          feeMinor: '0',
          currency: 'EUR',
          completedAt: new Date().toISOString(),
        },
        base,
      );
      assert.deepEqual(topUp?.variables, { kind: 'topup', amountMinor: '1000', currency: 'EUR' });
      assert.equal(intentFor('user.registered', { userId: 'u1' }, base), undefined);
      assert.throws(() => intentFor('user.password_reset_requested', { userId: 'u1' }, base));
    });
  });
});
