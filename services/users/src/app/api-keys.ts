// API keys for machine clients: their owner creates one (shown once), lists and revokes them; a client
// exchanges its key for a short-lived access token carrying the key's scopes, which every service
// verifies like any token (see @shopstack/kit's api-key-scopes.ts). Revoking a key puts its id, the
// session of every token exchanged for it, on the deny list.
import { type ApiKeyScope, AppError, withTransaction } from '@shopstack/kit';
import { sessionRevoked } from '@shopstack/proto/messages';
import {
  findApiKeyWithSecret,
  insertApiKey,
  listApiKeys as listStoredApiKeys,
  revokeApiKey as revokeStoredApiKey,
  touchApiKey,
} from '../adapters/api-keys-repository.js';
import { recordAudit } from '../adapters/audit-log.js';
import { insertDenials } from '../adapters/token-denials-repository.js';
import { findUserById, lockUser } from '../adapters/users-repository.js';
import { isUsable, newApiKey, parseApiKey, type StoredApiKey } from '../domain/api-keys.js';
import { isActive } from '../domain/user.js';
import type { RequestMeta, UsersDeps } from './deps.js';
import { emitContractEvent } from './events.js';
import { denialLifetime, signAccessToken } from './sessions.js';

export interface CreatedApiKey extends StoredApiKey {
  /** The key itself: shown this once, never stored. */
  key: string;
}

function requireEnabled(deps: UsersDeps): void {
  if (!deps.apiKeys.enabled)
    throw new AppError(
      'conflict',
      'api-keys-disabled',
      'this shop issues no API keys (no API_KEY_PEPPER is set)',
    );
}

export async function createApiKey(
  deps: UsersDeps,
  ownerId: string,
  input: { name: string; scopes: readonly ApiKeyScope[]; expiresInDays?: number | undefined },
  meta: RequestMeta,
): Promise<CreatedApiKey> {
  requireEnabled(deps);
  const fresh = newApiKey();
  return withTransaction(deps.pool, async (client) => {
    // Serializes one owner's creations, so the limit holds under concurrent requests.
    await lockUser(client, ownerId);
    if ((await listStoredApiKeys(client, ownerId)).length >= deps.settings.apiKeysPerUser) {
      throw new AppError(
        'conflict',
        'too-many-api-keys',
        `at most ${deps.settings.apiKeysPerUser} API keys per user`,
      );
    }
    const stored = await insertApiKey(client, {
      id: fresh.id,
      userId: ownerId,
      name: input.name,
      scopes: [...new Set(input.scopes)].sort(),
      secretHash: deps.apiKeys.hash(fresh.secret),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    });
    await recordAudit(client, {
      event: 'api_key.created',
      actorId: ownerId,
      subjectId: ownerId,
      ip: meta.ip,
      details: { keyId: stored.id, scopes: stored.scopes },
    });
    return { ...stored, key: fresh.key };
  });
}

export function listApiKeys(deps: UsersDeps, ownerId: string): Promise<StoredApiKey[]> {
  return listStoredApiKeys(deps.pool, ownerId);
}

export async function revokeApiKey(deps: UsersDeps, ownerId: string, keyId: string, meta: RequestMeta) {
  await withTransaction(deps.pool, async (client) => {
    if (!(await revokeStoredApiKey(client, keyId, ownerId))) {
      const known = (await listStoredApiKeys(client, ownerId)).some((key) => key.id === keyId);
      if (known) return; // revoked before: nothing more to do
      throw new AppError('not_found', 'api-key-not-found', 'you have no such API key');
    }
    await insertDenials(client, {
      userId: ownerId,
      sessionIds: [keyId],
      everySession: false,
      reason: 'api_key_revoked',
      liveSeconds: denialLifetime(deps),
    });
    await emitContractEvent(client, deps, sessionRevoked, {
      userId: ownerId,
      sessionId: keyId,
      reason: 'api_key_revoked',
    });
    await recordAudit(client, {
      event: 'api_key.revoked',
      actorId: ownerId,
      subjectId: ownerId,
      ip: meta.ip,
      details: { keyId },
    });
  });
}

/** An access token for the key's owner, limited to the key's scopes; the key's last use is recorded. */
export async function exchangeApiKey(deps: UsersDeps, apiKey: string, meta: RequestMeta) {
  const refused = () =>
    new AppError('unauthenticated', 'invalid-api-key', 'the API key is invalid, expired or revoked');
  const parsed = parseApiKey(apiKey);
  if (!parsed || !deps.apiKeys.enabled) throw refused();
  const found = await findApiKeyWithSecret(deps.pool, parsed.id);
  if (!found || !deps.apiKeys.matches(parsed.secret, found.secretHash)) throw refused();
  const owner = await findUserById(deps.pool, found.key.userId);
  if (!isUsable(found.key) || !owner || !isActive(owner)) {
    await recordAudit(deps.pool, {
      event: 'api_key.refused',
      subjectId: found.key.userId,
      ip: meta.ip,
      details: { keyId: found.key.id },
    });
    throw refused();
  }
  await touchApiKey(deps.pool, found.key.id);
  return {
    tokenType: 'Bearer' as const,
    accessToken: await signAccessToken(deps, owner, found.key.id, { scope: found.key.scopes.join(' ') }),
    expiresIn: deps.settings.accessTokenTtlSeconds,
    scopes: found.key.scopes,
  };
}
