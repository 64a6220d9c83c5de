import assert from 'node:assert/strict';
import {
  disputeOpenedLegs,
  disputeWonLegs,
  nextDisputeStatus,
  splitDispute,
} from '../../src/domain/disputes.js';
import { cashbackFor, cashbackReturned, feeFor, parseFeeSchedule } from '../../src/domain/fees.js';
import { closeEffect, resolveCapture } from '../../src/domain/holds.js';
import { allowsOverdraft, fingerprint, operationId, systemAccountId } from '../../src/domain/ids.js';
import { available, decide, EMPTY_ACCOUNT } from '../../src/domain/ledger.js';
import { useAllowance } from '../../src/domain/limits.js';
import { isMovableAmount, MAX_AMOUNT, parseMinor } from '../../src/domain/money.js';
import { checkLegs, topUpLegs, transferLegs } from '../../src/domain/movement.js';
import { checkChain } from '../../src/domain/reconcile.js';
import { decideRefund, EMPTY_REFUND_LOG } from '../../src/domain/refunds.js';

describe('payments domain', () => {
  describe('money', () => {
    it('parses decimal strings and safe integers, nothing else', () => {
      assert.equal(parseMinor('1250'), 1250n);
      assert.equal(parseMinor(7), 7n);
      assert.equal(parseMinor('9007199254740993'), 9007199254740993n);
      for (const bad of ['1.5', '-3', '01', '', ' 1', 1.5, Number.MAX_SAFE_INTEGER + 2, null, {}, '1e3']) {
        assert.equal(parseMinor(bad), undefined, `accepted ${String(bad)}`);
      }
    });
    it('bounds what can be moved', () => {
      assert.equal(isMovableAmount(0n), false);
      assert.equal(isMovableAmount(1n), true);
      assert.equal(isMovableAmount(MAX_AMOUNT), true);
      assert.equal(isMovableAmount(MAX_AMOUNT + 1n), false);
    });
  });

  describe('fees', () => {
    it('adds fixed and proportional parts, rounds up, clamps', () => {
      const rule = { fixed: 10n, basisPoints: 150n, min: 25n, max: 500n };
      assert.equal(feeFor(rule, 100n), 25n); // 10 + ceil(1.5) = 12 -> min 25
      assert.equal(feeFor(rule, 10_001n), 161n); // 10 + ceil(150.015) = 161
      assert.equal(feeFor(rule, 1_000_000n), 500n); // capped
      assert.equal(feeFor({ fixed: 0n, basisPoints: 0n, min: 0n }, 12345n), 0n);
    });
    it('parses a schedule and rejects nonsense', () => {
      const schedule = parseFeeSchedule('{"transfer":{"fixed":"5","basisPoints":100,"max":"50"}}');
      assert.deepEqual(schedule.transfer, { fixed: 5n, basisPoints: 100n, min: 0n, max: 50n });
      assert.equal(schedule.topup.basisPoints, 0n);
      assert.throws(() => parseFeeSchedule('{"transfer":{"fixed":"-1"}}'), /non-negative/);
      assert.throws(() => parseFeeSchedule('{"transfer":{"basisPoints":20000}}'), /100 %/);
    });
  });

  describe('ledger decisions', () => {
    const funded = { seq: 3, balance: 1000n, held: 300n };
    it('applies credits and affordable debits, advancing the sequence', () => {
      assert.deepEqual(decide(funded, { balanceDelta: -700n, heldDelta: 0n }, false), {
        outcome: 'applied',
        next: { seq: 4, balance: 300n, held: 300n },
      });
      assert.deepEqual(decide(EMPTY_ACCOUNT, { balanceDelta: 5n, heldDelta: 0n }, false).next, {
        seq: 1,
        balance: 5n,
        held: 0n,
      });
    });
    it('declines what would make available funds negative, recording no effect', () => {
      const d = decide(funded, { balanceDelta: -701n, heldDelta: 0n }, false);
      assert.deepEqual(d, { outcome: 'declined', reason: 'INSUFFICIENT_FUNDS', next: { ...funded, seq: 4 } });
      assert.equal(decide(funded, { balanceDelta: 0n, heldDelta: 701n }, false).outcome, 'declined');
      assert.equal(available(decide(funded, { balanceDelta: 0n, heldDelta: 700n }, false).next), 0n);
    });
    it('lets the clearing account overdraw', () => {
      assert.equal(decide(EMPTY_ACCOUNT, { balanceDelta: -10n, heldDelta: 0n }, true).outcome, 'applied');
      assert.equal(allowsOverdraft(systemAccountId('clearing', 'EUR')), true);
      assert.equal(allowsOverdraft(systemAccountId('fees', 'EUR')), false);
    });
    it('a capture never declines: it spends what the hold reserved', () => {
      const effect = closeEffect('capture', 300n, 200n);
      const d = decide({ seq: 1, balance: 300n, held: 300n }, effect, false);
      assert.deepEqual(d, { outcome: 'applied', next: { seq: 2, balance: 100n, held: 0n } });
      assert.deepEqual(closeEffect('void', 300n, 0n), { balanceDelta: 0n, heldDelta: -300n });
    });
    it('refuses to release more than is held', () => {
      assert.throws(() => decide(EMPTY_ACCOUNT, { balanceDelta: 0n, heldDelta: -1n }, false), /held/);
    });
  });

  describe('holds and refunds', () => {
    it('resolves capture amounts', () => {
      assert.deepEqual(resolveCapture(500n, 0n), { ok: true, amount: 500n });
      assert.deepEqual(resolveCapture(500n, undefined), { ok: true, amount: 500n });
      assert.deepEqual(resolveCapture(500n, 200n), { ok: true, amount: 200n });
      assert.equal(resolveCapture(500n, 501n).ok, false);
    });
    it('never refunds more than was captured', () => {
      const first = decideRefund(500n, EMPTY_REFUND_LOG, 300n);
      assert.deepEqual(first, { outcome: 'applied', next: { seq: 1, refunded: 300n } });
      assert.equal(decideRefund(500n, first.next, 201n).outcome, 'declined');
      assert.deepEqual(decideRefund(500n, first.next, 200n).next, { seq: 2, refunded: 500n });
    });
  });

  describe('movements', () => {
    const rules = { overdraft: allowsOverdraft };
    it('builds balanced transfer legs with the fee', () => {
      const { legs, fee } = transferLegs('a', 'b', 'f', 1000n, { fixed: 5n, basisPoints: 100n, min: 0n });
      assert.equal(fee, 15n);
      assert.deepEqual(legs, [
        { accountId: 'a', amount: -1015n },
        { accountId: 'b', amount: 1000n },
        { accountId: 'f', amount: 15n },
      ]);
      checkLegs(legs, rules);
    });
    it('rejects unbalanced legs and a later debit of a guarded account', () => {
      assert.throws(
        () =>
          checkLegs(
            [
              { accountId: 'a', amount: -1n },
              { accountId: 'b', amount: 2n },
            ],
            rules,
          ),
        /zero/,
      );
      assert.throws(
        () =>
          checkLegs(
            [
              { accountId: 'b', amount: 2n },
              { accountId: 'a', amount: -2n },
            ],
            rules,
          ),
        /first leg/,
      );
    });
    it('top-up fees come out of the top-up, and a fee eating it all is refused', () => {
      const clearing = systemAccountId('clearing', 'EUR');
      const t = topUpLegs(clearing, 'u', 'f', 1000n, { fixed: 10n, basisPoints: 0n, min: 0n });
      assert.deepEqual(
        t?.legs.map((l) => l.amount),
        [-1000n, 990n, 10n],
      );
      assert.equal(topUpLegs(clearing, 'u', 'f', 10n, { fixed: 10n, basisPoints: 0n, min: 0n }), undefined);
    });
  });

  describe('ids', () => {
    it('derives the same operation id for the same key and scope only', () => {
      assert.equal(operationId('transfer', 'u1', 'k'), operationId('transfer', 'u1', 'k'));
      assert.notEqual(operationId('transfer', 'u1', 'k'), operationId('transfer', 'u2', 'k'));
      assert.notEqual(operationId('transfer', 'u1', 'k'), operationId('refund', 'u1', 'k'));
      assert.equal(fingerprint({ a: 1n, b: 'x' }), fingerprint({ b: 'x', a: 1n }));
      assert.notEqual(fingerprint({ a: 1n }), fingerprint({ a: 2n }));
    });
  });

  describe('reconciliation of a chain', () => {
    it('accepts a consistent chain and reports tampering', () => {
      const good = [
        { seq: 1, outcome: 'applied' as const, balanceDelta: 100n, heldDelta: 0n, balance: 100n, held: 0n },
        { seq: 2, outcome: 'declined' as const, balanceDelta: 0n, heldDelta: 0n, balance: 100n, held: 0n },
        { seq: 3, outcome: 'applied' as const, balanceDelta: 0n, heldDelta: 40n, balance: 100n, held: 40n },
      ];
      assert.deepEqual(checkChain(good, false), {
        balance: 100n,
        held: 40n,
        balanceDifference: 0n,
        problems: [],
      });
      const tampered = good.map((e) => (e.seq === 3 ? { ...e, balance: 150n } : e));
      const report = checkChain(tampered, false);
      assert.equal(report.balanceDifference, -50n);
      assert.equal(report.problems.length, 1);
      assert.match(checkChain([good[0]!, good[2]!], false).problems[0]!, /seq 3 where 2/);
    });
  });

  describe('daily limits', () => {
    it('adds up to the limit and refuses past it, saying what remains', () => {
      assert.equal(useAllowance(6_000n, 4_000n, 10_000n), 10_000n);
      assert.throws(() => useAllowance(6_000n, 4_001n, 10_000n), /4000 remain/);
      assert.throws(() => useAllowance(12_000n, 1n, 10_000n), /0 remain/);
    });
  });

  describe('cashback', () => {
    const rule = parseFeeSchedule('{"cashback":{"basisPoints":150}}').cashback;
    it('rounds up like a fee, never exceeds the capture, and is taken back pro rata rounding down', () => {
      assert.equal(cashbackFor(rule, 1_000n), 15n);
      assert.equal(cashbackFor(rule, 1n), 1n);
      assert.equal(cashbackFor(parseFeeSchedule('{"cashback":{"fixed":50}}').cashback, 20n), 20n);
      assert.equal(cashbackFor(parseFeeSchedule(undefined).cashback, 1_000n), 0n);
      assert.equal(cashbackReturned(15n, 1_000n, 500n), 7n);
      assert.ok(cashbackReturned(15n, 1_000n, 500n) * 2n <= 15n, 'two halves never return more than paid');
    });
  });

  describe('disputes', () => {
    const accounts = {
      customer: 'acc_c',
      chargebacks: 'sys_chargebacks_EUR_0',
      clearing: 'sys_clearing_EUR_0',
    };
    it('splits between what the customer has and the chargeback account, and mirrors it when won', () => {
      assert.deepEqual(splitDispute(5_000n, 8_000n), { fromCustomer: 5_000n, fromPlatform: 0n });
      assert.deepEqual(splitDispute(5_000n, 1_969n), { fromCustomer: 1_969n, fromPlatform: 3_031n });
      assert.deepEqual(splitDispute(5_000n, -3n), { fromCustomer: 0n, fromPlatform: 5_000n });
      const split = splitDispute(5_000n, 2_000n);
      const opened = disputeOpenedLegs(accounts, split);
      assert.equal(opened[0]!.accountId, 'acc_c', 'the only declinable leg comes first');
      checkLegs(opened, { overdraft: allowsOverdraft });
      const won = disputeWonLegs(accounts, split);
      checkLegs(won, { overdraft: allowsOverdraft });
      const net = new Map<string, bigint>();
      for (const leg of [...opened, ...won])
        net.set(leg.accountId, (net.get(leg.accountId) ?? 0n) + leg.amount);
      assert.deepEqual([...net.values()], [0n, 0n, 0n], 'opened then won leaves every account as it was');
      assert.deepEqual(
        disputeOpenedLegs(accounts, splitDispute(5_000n, 9_000n)).map((leg) => leg.accountId),
        ['acc_c', 'sys_clearing_EUR_0'],
        'no zero legs',
      );
    });
    it('decides once: only an open dispute is won or lost', () => {
      assert.equal(nextDisputeStatus('open', 'won'), 'won');
      assert.equal(nextDisputeStatus('won', 'lost'), undefined);
      assert.equal(nextDisputeStatus('lost', 'won'), undefined);
    });
  });
});
