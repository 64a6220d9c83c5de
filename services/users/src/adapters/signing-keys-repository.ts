// JWT signing keys. The private half never leaves the service; the public half is the JWKS.
import type { Queryable } from '@shopstack/kit';
import type { JWK } from 'jose';
import type { ScheduledKey } from '../domain/key-schedule.js';
import type { StoredPrivateJwk } from './key-sealing.js';

export interface StoredSigningKey extends ScheduledKey {
  algorithm: string;
  publicJwk: JWK;
  /** Sealed when a key-sealing key is configured (see key-sealing.ts). */
  privateJwk: StoredPrivateJwk;
}

export async function insertSigningKey(db: Queryable, key: StoredSigningKey) {
  await db.query(
    `insert into signing_keys (kid, algorithm, public_jwk, private_jwk, created_at, activates_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      key.kid,
      key.algorithm,
      JSON.stringify(key.publicJwk),
      JSON.stringify(key.privateJwk),
      key.createdAt,
      key.activatesAt,
    ],
  );
}

/**
 * Every key except those superseded (a newer key activated) longer than `retiredGraceSeconds` ago;
 * the key schedule (domain/key-schedule.ts) decides exactly which of them sign and are published.
 */
export async function loadRecentKeys(
  db: Queryable,
  retiredGraceSeconds: number,
): Promise<StoredSigningKey[]> {
  const { rows } = await db.query(
    `select kid, algorithm, public_jwk, private_jwk, created_at, activates_at from signing_keys k
      where not exists (
        select 1 from signing_keys n
         where n.activates_at > k.activates_at and n.activates_at < now() - make_interval(secs => $1))
      order by activates_at desc`,
    [retiredGraceSeconds],
  );
  return rows.map((row) => ({
    kid: row.kid,
    algorithm: row.algorithm,
    publicJwk: row.public_jwk,
    privateJwk: row.private_jwk,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
  }));
}

const KEY_CREATION_LOCK = 7_310_442_101;

/** Serialises key creation across replicas until the transaction ends. */
export async function lockKeyCreation(db: Queryable): Promise<void> {
  await db.query('select pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
}
