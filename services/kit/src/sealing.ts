// Secrets a service must read back in full (a token signing key, a webhook's HMAC secret: a hash would
// not do) are sealed before they reach the database, with AES-256-GCM under a 32-byte key from the
// environment (a Secret in a pod), so a database dump alone reveals none of them. The key seals each
// value directly: there is no key-management service to hold a key-encryption key apart, and a
// per-value data key wrapped by the same local key would protect nothing more. `context` (a row's id)
// is bound as associated data, so a sealed value copied onto another row does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface Sealed {
  sealed: 'A256GCM';
  iv: string;
  tag: string;
  data: string;
}

export const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && (value as Sealed).sealed === 'A256GCM';

/** The configuration field of a sealing key: 32 bytes as 64 hex characters. */
export const sealingKeySchema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)');

export class Sealer {
  private readonly key: Buffer;

  /** `variable` names the key's environment variable in errors. */
  constructor(
    hexKey: string,
    private readonly variable: string,
  ) {
    this.key = Buffer.from(hexKey, 'hex');
    if (this.key.length !== 32) throw new Error(`${variable} must be 32 bytes (64 hex characters)`);
  }

  seal(plain: string, context = ''): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return {
      sealed: 'A256GCM',
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      data: data.toString('base64url'),
    };
  }

  /** Throws when the value was sealed under another key or for another context, or was altered. */
  open(sealed: Sealed, context = ''): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(`cannot open a sealed value: ${this.variable} is not the key it was sealed with`);
    }
  }
}
