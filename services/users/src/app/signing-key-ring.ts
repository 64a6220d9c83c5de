// The JWT signing keys: one active key signs, retired keys stay published in the JWKS until every
// token they signed has expired. Keys live in PostgreSQL so all replicas sign with the same key and
// publish the same JWKS; each replica caches them and reloads on an unknown kid.
import { randomUUID } from 'node:crypto';
import { type Pool, withTransaction } from '@shopstack/kit';
import { errors, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import type { KeySealer } from '../adapters/key-sealing.js';
import {
  insertSigningKey,
  loadPublishableKeys,
  retireOtherKeys,
  type StoredSigningKey,
} from '../adapters/signing-keys-repository.js';

export const SIGNING_ALGORITHM = 'EdDSA';
const KEY_CREATION_LOCK = 7_310_442_101;
const RELOAD_AFTER_MS = 30_000;

export interface KeyRingOptions {
  accessTokenTtlSeconds: number;
  /** Seals private keys at rest (AES-256-GCM) when it has a key. */
  sealer: KeySealer;
  /** Rotate automatically when the active key is older than this. */
  rotationIntervalSeconds: number;
}

type KeyLike = Awaited<ReturnType<typeof importJWK>>;

export class SigningKeyRing {
  private keys: StoredSigningKey[] = [];
  private loadedAt = 0;
  private imported = new Map<string, KeyLike>();

  constructor(
    private readonly pool: Pool,
    private readonly options: KeyRingOptions,
  ) {}

  /** Retired keys stay published for the lifetime of the tokens they signed, plus clock skew. */
  private get graceSeconds() {
    return this.options.accessTokenTtlSeconds + 60;
  }

  /** Makes sure an active, not-too-old key exists (creating or rotating one), then loads the ring. */
  async ensureActiveKey(): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
      const { rows } = await client.query<{ age: number }>(
        'select extract(epoch from now() - created_at)::float8 as age from signing_keys where retired_at is null',
      );
      const age = rows[0]?.age;
      if (age === undefined || age > this.options.rotationIntervalSeconds) await this.createKey(client);
    });
    await this.reload();
    await this.activeKey(); // fails now, not at the first sign-in, when the keys cannot be opened
  }

  /** A new key signs from now on; the old one stays in the JWKS until its tokens expire. */
  async rotate(): Promise<string> {
    const kid = await withTransaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
      return this.createKey(client);
    });
    await this.reload();
    return kid;
  }

  async reload(): Promise<void> {
    this.keys = await loadPublishableKeys(this.pool, this.graceSeconds);
    this.loadedAt = Date.now();
  }

  /** The key new tokens are signed with. */
  async activeKey(): Promise<{ kid: string; key: KeyLike }> {
    if (Date.now() - this.loadedAt > RELOAD_AFTER_MS) await this.reload();
    const active = this.keys.find((key) => key.retiredAt === null);
    if (!active) throw new Error('no active signing key');
    return {
      kid: active.kid,
      key: await this.importKey(active.kid, this.options.sealer.open(active.privateJwk)),
    };
  }

  /** The public keys for /.well-known/jwks.json. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.loadedAt > RELOAD_AFTER_MS) await this.reload();
    return {
      keys: this.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' })),
    };
  }

  /** Key resolver for jose's jwtVerify: only our published keys, only our algorithm. */
  readonly verificationKey: JWTVerifyGetKey = async (header) => {
    if (header.alg !== SIGNING_ALGORITHM || !header.kid) throw new errors.JWKSNoMatchingKey();
    let found = this.keys.find((key) => key.kid === header.kid);
    if (!found && Date.now() - this.loadedAt > 1_000) {
      await this.reload(); // a key another replica just created
      found = this.keys.find((key) => key.kid === header.kid);
    }
    if (!found) throw new errors.JWKSNoMatchingKey();
    return this.importKey(`public:${found.kid}`, found.publicJwk);
  };

  private async createKey(client: Parameters<typeof insertSigningKey>[0]): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, {
      crv: 'Ed25519',
      extractable: true,
    });
    const kid = randomUUID();
    await insertSigningKey(client, {
      kid,
      algorithm: SIGNING_ALGORITHM,
      publicJwk: await exportJWK(publicKey),
      privateJwk: this.options.sealer.seal(await exportJWK(privateKey)),
    });
    await retireOtherKeys(client, kid);
    return kid;
  }

  private async importKey(cacheKey: string, jwk: JWK): Promise<KeyLike> {
    let key = this.imported.get(cacheKey);
    if (!key) {
      key = await importJWK(jwk, SIGNING_ALGORITHM);
      this.imported.set(cacheKey, key);
    }
    return key;
  }
}
