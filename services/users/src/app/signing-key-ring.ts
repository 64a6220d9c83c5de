// The JWT signing keys, on the schedule of domain/key-schedule.ts: a new key is published in the JWKS
// for longer than the edge caches it before it signs, and a superseded key stays published until
// every token it signed has expired. Keys live in PostgreSQL so all replicas sign with the same key
// and publish the same JWKS; each replica caches them and reloads on an unknown kid.
import { randomUUID } from 'node:crypto';
import { type Pool, withTransaction } from '@shopstack/kit';
import { errors, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import type { KeySealer } from '../adapters/key-sealing.js';
import {
  insertSigningKey,
  loadRecentKeys,
  lockKeyCreation,
  type StoredSigningKey,
} from '../adapters/signing-keys-repository.js';
import {
  type KeySchedulePolicy,
  planKeys,
  publishedKeysAt,
  retirementGraceSeconds,
  signingKeyAt,
  successorActivation,
} from '../domain/key-schedule.js';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface KeyRingOptions extends KeySchedulePolicy {
  /** Seals private keys at rest (AES-256-GCM) when it has a key. */
  sealer: KeySealer;
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

  /** Within the schedule's margin, so a replica sees a waiting key well before it activates. */
  private get reloadAfterMs() {
    return Math.min(30_000, (this.options.marginSeconds * 1000) / 2);
  }

  /** Makes sure a key signs and that a due rotation has a successor waiting, then loads the ring. */
  async ensureActiveKey(): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await lockKeyCreation(client);
      const now = new Date();
      const plan = planKeys(await this.load(client), now, this.options);
      if (plan.action === 'create') await this.createKey(client, now, plan.activatesAt);
    });
    await this.reload();
    await this.activeKey(); // fails now, not at the first sign-in, when the keys cannot be opened
  }

  /** Publishes a new key now; it signs once every edge has had time to fetch it. */
  async rotate(): Promise<{ kid: string; activatesAt: Date }> {
    const now = new Date();
    const activatesAt = successorActivation(now, this.options);
    const kid = await withTransaction(this.pool, async (client) => {
      await lockKeyCreation(client);
      return this.createKey(client, now, activatesAt);
    });
    await this.reload();
    return { kid, activatesAt };
  }

  async reload(): Promise<void> {
    this.keys = await this.load(this.pool);
    this.loadedAt = Date.now();
  }

  private load(db: Parameters<typeof loadRecentKeys>[0]) {
    return loadRecentKeys(db, retirementGraceSeconds(this.options));
  }

  private async fresh(): Promise<StoredSigningKey[]> {
    if (Date.now() - this.loadedAt > this.reloadAfterMs) await this.reload();
    return this.keys;
  }

  /** The key new tokens are signed with. */
  async activeKey(): Promise<{ kid: string; key: KeyLike }> {
    const active = signingKeyAt(await this.fresh(), new Date());
    if (!active) throw new Error('no active signing key');
    return {
      kid: active.kid,
      key: await this.importKey(active.kid, this.options.sealer.open(active.privateJwk)),
    };
  }

  /** The public keys for /.well-known/jwks.json: waiting, signing, and superseded but still valid. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const published = publishedKeysAt(await this.fresh(), new Date(), this.options);
    return {
      keys: published.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' })),
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

  private async createKey(
    client: Parameters<typeof insertSigningKey>[0],
    createdAt: Date,
    activatesAt: Date,
  ): Promise<string> {
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
      createdAt,
      activatesAt,
    });
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
