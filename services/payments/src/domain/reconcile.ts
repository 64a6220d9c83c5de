// Pure checks of a journal: used by the reconciliation job and by tests. The journal is the truth; the
// running balance carried by each entry is a cache of the sum before it, and these checks prove it.

export interface ChainEntry {
  seq: number;
  outcome: 'applied' | 'declined';
  balanceDelta: bigint;
  heldDelta: bigint;
  balance: bigint;
  held: bigint;
}

export interface ChainReport {
  /** Balance and held recomputed from the deltas alone. */
  balance: bigint;
  held: bigint;
  /** Recomputed minus the running balance of the last entry (0 when consistent). */
  balanceDifference: bigint;
  problems: string[];
}

export function checkChain(entries: Iterable<ChainEntry>, overdraft: boolean): ChainReport {
  let balance = 0n;
  let held = 0n;
  let expectedSeq = 1;
  let last: ChainEntry | undefined;
  const problems: string[] = [];
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) problems.push(`seq ${entry.seq} where ${expectedSeq} was expected`);
    expectedSeq = entry.seq + 1;
    if (entry.outcome === 'applied') {
      balance += entry.balanceDelta;
      held += entry.heldDelta;
    } else if (entry.balanceDelta !== 0n || entry.heldDelta !== 0n) {
      problems.push(`declined entry ${entry.seq} carries an effect`);
    }
    if (entry.balance !== balance || entry.held !== held) {
      problems.push(`entry ${entry.seq} says ${entry.balance}/${entry.held}, the sum is ${balance}/${held}`);
    }
    if (!overdraft && balance - held < 0n)
      problems.push(`entry ${entry.seq} leaves available funds negative`);
    if (held < 0n) problems.push(`entry ${entry.seq} leaves held negative`);
    last = entry;
  }
  return {
    balance,
    held,
    balanceDifference: balance - (last?.balance ?? 0n),
    problems,
  };
}
