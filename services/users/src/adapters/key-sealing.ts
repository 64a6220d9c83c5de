// Private signing keys are sealed with AES-256-GCM before they reach the database when
// SIGNING_KEY_ENCRYPTION_KEY is set, so a database dump alone cannot mint tokens. Unsealed keys
// (written before a key was configured) are still read, so turning sealing on needs no migration.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

export interface SealedJwk {
  sealed: 'A256GCM';
  iv: string;
  tag: string;
  data: string;
}

export type StoredPrivateJwk = JWK | SealedJwk;

const isSealed = (stored: StoredPrivateJwk): stored is SealedJwk =>
  (stored as SealedJwk).sealed === 'A256GCM';

export class KeySealer {
  private readonly key: Buffer | undefined;

  /** `hexKey`: 32 bytes as 64 hex characters, or undefined to store keys as they are. */
  constructor(hexKey: string | undefined) {
    this.key = hexKey ? Buffer.from(hexKey, 'hex') : undefined;
    if (this.key && this.key.length !== 32) throw new Error('the key-sealing key must be 32 bytes');
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  seal(jwk: JWK): StoredPrivateJwk {
    if (!this.key) return jwk;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    return {
      sealed: 'A256GCM',
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      data: data.toString('base64url'),
    };
  }

  open(stored: StoredPrivateJwk): JWK {
    if (!isSealed(stored)) return stored;
    if (!this.key) throw new Error('signing keys are sealed but SIGNING_KEY_ENCRYPTION_KEY is not set');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(stored.iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64url'));
    try {
      const plain = Buffer.concat([decipher.update(Buffer.from(stored.data, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as JWK;
    } catch {
      throw new Error(
        'cannot open the signing keys: SIGNING_KEY_ENCRYPTION_KEY is not the key they were sealed with',
      );
    }
  }
}
