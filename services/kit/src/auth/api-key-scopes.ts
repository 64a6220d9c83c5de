// What an API key may be used for. A machine client (a seller's catalog import, a webhook manager)
// exchanges its key at the users service for a short-lived access token that carries the key's
// scopes (`scope` claim) and the key's id as its session (`sid`, so revoking the key reaches the deny
// list). Such a token is accepted only on routes that name one of its scopes (`apiKeyScope` in the
// route spec); every other route refuses it, whatever the owner's role would allow.
export const API_KEY_SCOPES = ['catalog:write', 'webhooks:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
