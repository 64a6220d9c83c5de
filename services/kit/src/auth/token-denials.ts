// The deny list: access tokens that are still within their lifetime but must no longer be accepted,
// because their session was revoked (sign-out, refresh-token reuse) or their user was blocked,
// deleted, demoted or changed password. The users service records each denial in the same
// transaction as its cause and serves them as a feed; every service's verifier keeps the live ones
// in memory, fed by polling that feed (every second by default), and refuses matching tokens.
//
// Why a polled feed rather than broker events or a shared Redis set: the feed reads users' own
// table, written atomically with the block, so no denial can be lost between commit and publish; a
// process that starts (or was cut off) reads the whole live list at once instead of missing what was
// sent before it subscribed; and it needs nothing a service does not already reach (the JWKS comes
// from the same users service), where events would need a queue per replica and a broker in every
// service, and Redis a second store on every request path. The users service publishes the same
// facts as events (`user.blocked`, `user.deleted`, `session.revoked`) for services that act on them.
//
// A denial names a subject (every token of the user issued before `issuedBefore`) or one session
// (`sid`). It lives as long as the tokens it stops could: the access-token lifetime plus clock skew.
import { z } from 'zod';
import { AppError } from '../errors.js';

export const TokenDenial = z.object({
  /** The user (`sub`). */
  subject: z.string().min(1),
  /** One session (`sid`), or every session of the user when null. */
  sessionId: z.string().min(1).nullable(),
  /**
   * The user's tokens issued in an earlier second are refused (`iat` counts whole seconds, so the
   * second of the denial itself is left to the session denials users records beside it: otherwise a
   * sign-in right after an unblock, in the same second, would be refused too).
   */
  issuedBefore: z.iso.datetime(),
  /** After this no token the denial stops can still be valid: drop it. */
  expiresAt: z.iso.datetime(),
});
export type TokenDenial = z.infer<typeof TokenDenial>;

/** A page of the feed: the denials recorded since `after`, and the cursor to ask from next. */
export const TokenDenialsFeed = z.object({
  cursor: z.string().min(1),
  denials: z.array(TokenDenial),
});
export type TokenDenialsFeed = z.infer<typeof TokenDenialsFeed>;

/** Where the feed comes from: the users service's HTTP route, or (in users) its own database. */
export type TokenDenialsSource = (after: string | undefined) => Promise<TokenDenialsFeed>;

/** The path users serves the feed on; not routed by the edge (inside the cluster only). */
export const TOKEN_DENIALS_PATH = '/internal/token-denials';

export function httpTokenDenialsSource(url: string | URL, timeoutMs = 2_000): TokenDenialsSource {
  return async (after) => {
    const target = new URL(url);
    if (after !== undefined) target.searchParams.set('after', after);
    const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`token denials feed answered ${response.status}`);
    return TokenDenialsFeed.parse(await response.json());
  };
}

interface TokenFacts {
  subject: string;
  sessionId: string | undefined;
  /** `iat`, seconds since the epoch. */
  issuedAt: number;
}

export class TokenDenialList {
  private readonly subjects = new Map<string, { issuedBeforeMs: number; expiresAtMs: number }>();
  private readonly sessions = new Map<string, number>();
  private cursor: string | undefined;
  private loaded = false;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly source: TokenDenialsSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads what was recorded since the last call (everything live, the first time). */
  refresh(): Promise<void> {
    // One read at a time: verify() and the poller may ask together.
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * Throws for a denied token. Until the list has been read once, a token cannot be judged: the
   * verifier reads it first and answers 503 if the feed is out of reach (fail closed).
   */
  async check(token: TokenFacts): Promise<void> {
    if (!this.loaded) {
      await this.refresh().catch(() => {
        throw new AppError('unavailable', 'token-denials-unavailable', 'cannot check the token right now', {
          retryAfterSeconds: 1,
        });
      });
    }
    if (this.denies(token))
      throw new AppError('unauthenticated', 'token-revoked', 'the access token was revoked: sign in again');
  }

  denies(token: TokenFacts): boolean {
    const now = this.now();
    if (token.sessionId !== undefined) {
      const expiresAt = this.sessions.get(token.sessionId);
      if (expiresAt !== undefined && expiresAt > now) return true;
    }
    const subject = this.subjects.get(token.subject);
    return (
      subject !== undefined &&
      subject.expiresAtMs > now &&
      token.issuedAt < Math.floor(subject.issuedBeforeMs / 1000)
    );
  }

  /** How many denials are held (for metrics and tests). */
  get size(): number {
    return this.subjects.size + this.sessions.size;
  }

  private async read(): Promise<void> {
    const feed = await this.source(this.cursor);
    for (const denial of feed.denials) this.add(denial);
    this.cursor = feed.cursor;
    this.loaded = true;
    this.prune();
  }

  private add(denial: TokenDenial): void {
    const expiresAtMs = Date.parse(denial.expiresAt);
    if (denial.sessionId !== null) {
      this.sessions.set(denial.sessionId, Math.max(expiresAtMs, this.sessions.get(denial.sessionId) ?? 0));
      return;
    }
    const issuedBeforeMs = Date.parse(denial.issuedBefore);
    const held = this.subjects.get(denial.subject);
    // A later denial of the same user covers more tokens and lives longer: keep the wider of both.
    this.subjects.set(denial.subject, {
      issuedBeforeMs: Math.max(issuedBeforeMs, held?.issuedBeforeMs ?? 0),
      expiresAtMs: Math.max(expiresAtMs, held?.expiresAtMs ?? 0),
    });
  }

  private prune(): void {
    const now = this.now();
    for (const [id, expiresAt] of this.sessions) if (expiresAt <= now) this.sessions.delete(id);
    for (const [id, held] of this.subjects) if (held.expiresAtMs <= now) this.subjects.delete(id);
  }
}
