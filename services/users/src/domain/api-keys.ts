// An API key is `ssk_<key id, 32 hex>_<secret, 43 base64url>`: the id finds the stored key without a
// scan, the 256-bit secret is what proves possession. The prefix makes a leaked key easy to spot
// (secret scanners, logs) and tells it apart from an access or refresh token.
import { randomBytes, randomUUID } from 'node:crypto';

const PREFIX = 'ssk_';
const FORMAT = /^ssk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  id: string;
  secret: string;
  /** What the owner is shown once. */
  key: string;
}

export function newApiKey(): NewApiKey {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `${PREFIX}${id.replaceAll('-', '')}_${secret}` };
}

/** The key id (a uuid) and secret of a well-formed key; undefined for anything else. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = FORMAT.exec(key);
  if (!match) return undefined;
  const hex = match[1]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2]! };
}

export interface StoredApiKey {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function isUsable(key: StoredApiKey, now = new Date()): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}
