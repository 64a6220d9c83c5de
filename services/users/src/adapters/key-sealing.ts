// Private signing keys are sealed (the kit's Sealer: AES-256-GCM) before they reach the database when
// SIGNING_KEY_ENCRYPTION_KEY is set, so a database dump alone cannot mint tokens. Unsealed keys
// (written before a key was configured) are still read, so turning sealing on needs no migration.
import { isSealed, type Sealed, Sealer } from '@shopstack/kit';
import type { JWK } from 'jose';

export type SealedJwk = Sealed;

export type StoredPrivateJwk = JWK | SealedJwk;

export class KeySealer {
  private readonly sealer: Sealer | undefined;

  /** `hexKey`: 32 bytes as 64 hex characters, or undefined to store keys as they are. */
  constructor(hexKey: string | undefined) {
    this.sealer = hexKey ? new Sealer(hexKey, 'SIGNING_KEY_ENCRYPTION_KEY') : undefined;
  }

  get enabled(): boolean {
    return this.sealer !== undefined;
  }

  seal(jwk: JWK): StoredPrivateJwk {
    return this.sealer ? this.sealer.seal(JSON.stringify(jwk)) : jwk;
  }

  open(stored: StoredPrivateJwk): JWK {
    if (!isSealed(stored)) return stored;
    if (!this.sealer) throw new Error('signing keys are sealed but SIGNING_KEY_ENCRYPTION_KEY is not set');
    try {
      return JSON.parse(this.sealer.open(stored)) as JWK;
    } catch {
      throw new Error(
        'cannot open the signing keys: SIGNING_KEY_ENCRYPTION_KEY is not the key they were sealed with',
      );
    }
  }
}
