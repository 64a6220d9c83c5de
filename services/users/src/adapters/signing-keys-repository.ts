// JWT signing keys. The private half never leaves the service; the public half is the JWKS.
import type { Queryable } from '@shopstack/kit';
import type { JWK } from 'jose';
import type { StoredPrivateJwk } from './key-sealing.js';

export interface StoredSigningKey {
  kid: string;
  algorithm: string;
  publicJwk: JWK;
  /** Sealed when a key-sealing key is configured (see key-sealing.ts). */
  privateJwk: StoredPrivateJwk;
  createdAt: Date;
  retiredAt: Date | null;
}

export async function insertSigningKey(
  db: Queryable,
  key: Omit<StoredSigningKey, 'createdAt' | 'retiredAt'>,
) {
  await db.query(
    'insert into signing_keys (kid, algorithm, public_jwk, private_jwk) values ($1, $2, $3, $4)',
    [key.kid, key.algorithm, JSON.stringify(key.publicJwk), JSON.stringify(key.privateJwk)],
  );
}

/** Retires every active key except `keepKid`. */
export async function retireOtherKeys(db: Queryable, keepKid: string): Promise<void> {
  await db.query('update signing_keys set retired_at = now() where kid <> $1 and retired_at is null', [
    keepKid,
  ]);
}

/** Keys that are active, or retired recently enough that tokens they signed may still be valid. */
export async function loadPublishableKeys(
  db: Queryable,
  retiredGraceSeconds: number,
): Promise<StoredSigningKey[]> {
  const { rows } = await db.query(
    `select kid, algorithm, public_jwk, private_jwk, created_at, retired_at from signing_keys
      where retired_at is null or retired_at > now() - make_interval(secs => $1)
      order by created_at desc`,
    [retiredGraceSeconds],
  );
  return rows.map((row) => ({
    kid: row.kid,
    algorithm: row.algorithm,
    publicJwk: row.public_jwk,
    privateJwk: row.private_jwk,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  }));
}
