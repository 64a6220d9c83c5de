// The daily-limit counters as a sequenced log (see sequenced-append.ts): each accepted request appends
// the new running total of its stream (user, kind, currency, day) under its own key, so two requests
// racing for the last of the allowance cannot both pass, and a retried request counts once.
import type { Collection } from 'mongodb';
import { returnAllowance, useAllowance } from '../domain/limits.js';
import { appendOnce, headBySort } from './sequenced-append.js';

export interface LimitLogDoc {
  _id: string;
  stream: string;
  seq: number;
  /** What this entry added (negative: a declined request gave its share back). */
  amount: bigint;
  /** The stream's running total after this entry. */
  used: bigint;
  at: Date;
}

export class LimitLog {
  constructor(private readonly log: Collection<LimitLogDoc>) {}

  /** Counts `amount` once under `opKey`; throws DailyLimitExceeded (and stores nothing) past the limit. */
  async use(stream: string, opKey: string, amount: bigint, limit: bigint): Promise<void> {
    await appendOnce({
      log: this.log,
      opKey,
      readHead: headBySort(this.log, { stream }),
      build: (head: LimitLogDoc | null) =>
        this.entry(opKey, stream, head, amount, useAllowance(head?.used ?? 0n, amount, limit)),
    });
  }

  /** Gives back what `opKey` used, once; nothing when it never used anything. */
  async giveBack(opKey: string): Promise<void> {
    const used = await this.log.findOne({ _id: opKey });
    if (!used) return;
    await appendOnce({
      log: this.log,
      opKey: `${opKey}:return`,
      readHead: headBySort(this.log, { stream: used.stream }),
      build: (head: LimitLogDoc | null) =>
        this.entry(
          `${opKey}:return`,
          used.stream,
          head,
          -used.amount,
          returnAllowance(head?.used ?? 0n, used.amount),
        ),
    });
  }

  private entry(
    id: string,
    stream: string,
    head: LimitLogDoc | null,
    amount: bigint,
    used: bigint,
  ): LimitLogDoc {
    return { _id: id, stream, seq: (head?.seq ?? 0) + 1, amount, used, at: new Date() };
  }
}
