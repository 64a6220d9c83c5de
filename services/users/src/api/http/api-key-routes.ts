// API keys: the signed-in owner creates (shown once), lists and revokes them; a machine client
// exchanges its key for an access token. A token from a key cannot manage keys (no route here names a
// scope), so a leaked key cannot make itself another.
import type { HttpRoutes } from '@shopstack/kit';
import { createApiKey, exchangeApiKey, listApiKeys, revokeApiKey } from '../../app/api-keys.js';
import type { UsersDeps } from '../../app/deps.js';
import type { StoredApiKey } from '../../domain/api-keys.js';
import { requestMeta } from './auth-routes.js';
import {
  ApiKeyListView,
  ApiKeyTokenBody,
  ApiKeyTokenView,
  CreateApiKeyBody,
  CreatedApiKeyView,
  UserIdParams,
} from './schemas.js';

const noStore = { 'Cache-Control': 'no-store' };

const view = (key: StoredApiKey) => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  createdAt: key.createdAt.toISOString(),
  expiresAt: key.expiresAt?.toISOString() ?? null,
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

export function addApiKeyRoutes(routes: HttpRoutes, deps: UsersDeps): void {
  routes.post(
    '/api/users/api-keys',
    {
      summary: 'Create an API key for a machine client; the key is in this answer only',
      tags: ['api-keys'],
      auth: true,
      body: CreateApiKeyBody,
      responses: {
        201: { description: 'Created', schema: CreatedApiKeyView },
        409: { description: 'API keys are switched off, or you hold the most allowed' },
      },
    },
    async ({ body, user, ctx }) => {
      const created = await createApiKey(deps, user.id, body, requestMeta(ctx));
      return { status: 201, body: { ...view(created), key: created.key }, headers: noStore };
    },
  );

  routes.get(
    '/api/users/api-keys',
    {
      summary: 'Your API keys (never the keys themselves), newest first',
      tags: ['api-keys'],
      auth: true,
      responses: { 200: { description: 'Your keys', schema: ApiKeyListView } },
    },
    async ({ user }) => ({ body: { keys: (await listApiKeys(deps, user.id)).map(view) } }),
  );

  routes.delete(
    '/api/users/api-keys/:id',
    {
      summary: 'Revoke one of your API keys; tokens exchanged for it stop working within seconds',
      tags: ['api-keys'],
      auth: true,
      params: UserIdParams,
      responses: { 204: { description: 'Revoked' }, 404: { description: 'You have no such key' } },
    },
    async ({ params, user, ctx }) => {
      await revokeApiKey(deps, user.id, params.id, requestMeta(ctx));
      return { status: 204 };
    },
  );

  routes.post(
    '/api/users/api-keys/token',
    {
      summary: "Exchange an API key for a short-lived access token limited to the key's scopes",
      tags: ['api-keys'],
      body: ApiKeyTokenBody,
      responses: {
        200: { description: 'An access token', schema: ApiKeyTokenView },
        401: { description: 'The key is invalid, expired or revoked, or its owner cannot sign in' },
      },
    },
    async ({ body, ctx }) => ({
      body: await exchangeApiKey(deps, body.apiKey, requestMeta(ctx)),
      headers: noStore,
    }),
  );
}
