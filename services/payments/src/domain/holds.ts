// A hold reserves funds on an account (authorize) and is then closed exactly once: captured (in full or
// part; the rest is released), voided, or expired. The close is a single journal entry with a key unique
// per hold, so a capture racing a void or the expiry job can only ever have one winner.

export type HoldStatus = 'pending' | 'authorized' | 'declined' | 'captured' | 'voided' | 'expired';
export type CloseKind = 'capture' | 'void' | 'expire';

export const CLOSED_BY: Record<CloseKind, HoldStatus> = {
  capture: 'captured',
  void: 'voided',
  expire: 'expired',
};

export type CaptureAmount = { ok: true; amount: bigint } | { ok: false; problem: string };

/** 0 (or absent) means the full amount; more than was authorized is refused. */
export function resolveCapture(authorized: bigint, requested: bigint | undefined): CaptureAmount {
  if (requested === undefined || requested === 0n) return { ok: true, amount: authorized };
  if (requested < 0n) return { ok: false, problem: 'must not be negative' };
  if (requested > authorized) return { ok: false, problem: `exceeds the authorized amount ${authorized}` };
  return { ok: true, amount: requested };
}

/** The close entry: what leaves the balance and what stops being held. */
export function closeEffect(kind: CloseKind, authorized: bigint, captured: bigint) {
  return {
    balanceDelta: kind === 'capture' ? -captured : 0n,
    heldDelta: -authorized,
  };
}

export function isExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}
