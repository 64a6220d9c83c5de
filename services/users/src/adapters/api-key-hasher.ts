// API key secrets are stored as HMAC-SHA256 under a pepper (API_KEY_PEPPER), not with argon2id like
// passwords: a key's secret is 256 random bits, so there is nothing to guess and a slow hash would only
// cost every exchange tens of milliseconds; the pepper, kept outside the database, means a leaked
// table alone cannot even check a candidate key.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class ApiKeyHasher {
  constructor(private readonly pepper: string | undefined) {}

  /** Without a pepper the shop issues no API keys (there is no safe way to store them). */
  get enabled(): boolean {
    return this.pepper !== undefined;
  }

  hash(secret: string): Buffer {
    if (!this.pepper) throw new Error('API_KEY_PEPPER is not set');
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest();
  }

  matches(secret: string, stored: Buffer): boolean {
    const candidate = this.hash(secret);
    return candidate.length === stored.length && timingSafeEqual(candidate, stored);
  }
}
