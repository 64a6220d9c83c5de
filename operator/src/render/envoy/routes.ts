// The edge's route table. One list decides both where a path goes and whether it needs a token,
// so the router and the JWT filter cannot drift apart.
import { SHOP_SERVICES, type ShopService } from '../../api/constants.js';

/** The header the edge sets to the client's address; the kit's CLIENT_IP_HEADER reads it. */
export const CLIENT_IP_HEADER = 'x-client-ip';

/** Where a route goes: a shop service, or the web app's service. */
export type EdgeUpstream = ShopService | typeof WEB_UPSTREAM;
export const WEB_UPSTREAM = 'web';

export interface EdgeRoute {
  name: string;
  service: EdgeUpstream;
  match: { path: string } | { path_separated_prefix: string } | { prefix: string };
  /** Methods that may pass without a token; undefined = all methods need a token. */
  publicMethods?: 'all' | readonly string[];
  /** Brute-force sensitive: gets the stricter per-client limit. */
  auth?: boolean;
  /** The path the service sees, when it differs from the public one. */
  rewritePath?: string;
  /** Only tokens whose `role` claim is one of these pass (checked by the edge's RBAC filter). */
  roles?: readonly string[];
}

/** The back office (admin API) is for staff: customers' tokens stop at the edge. */
export const BACKOFFICE_ROLES = ['admin', 'support'] as const;

/** Where the edge lists every service's OpenAPI document, so the edge's address is all a reader needs. */
export const OPENAPI_INDEX_PATH = '/api/openapi.json';
export const openApiPath = (service: ShopService) => `/api/${service}/openapi.json`;

/** The index served at OPENAPI_INDEX_PATH by the edge itself. */
export function openApiIndex(): { documents: { service: ShopService; url: string }[] } {
  return { documents: SHOP_SERVICES.map((service) => ({ service, url: openApiPath(service) })) };
}

// The users endpoints reached before one has an access token. Those that take a secret (a password, a
// refresh token, a reset token, an API key) are brute-force targets and get the stricter per-client limit.
const USERS_PUBLIC_PATHS: readonly { path: string; auth: boolean }[] = [
  { path: 'register', auth: true },
  { path: 'login', auth: true }, // and login/second-factor below it
  { path: 'token/refresh', auth: true },
  { path: 'password-reset', auth: true },
  { path: 'api-keys/token', auth: true }, // a machine client's API key → an access token
  { path: 'verify-email', auth: false },
  { path: 'logout', auth: false },
];

export const EDGE_ROUTES: readonly EdgeRoute[] = [
  // Each service's OpenAPI document (served at its own /openapi.json), readable without an account.
  ...SHOP_SERVICES.map(
    (service): EdgeRoute => ({
      name: `${service}-openapi`,
      service,
      match: { path: openApiPath(service) },
      publicMethods: ['GET', 'HEAD'],
      rewritePath: '/openapi.json',
    }),
  ),
  {
    name: 'jwks',
    service: 'users',
    match: { path: '/.well-known/jwks.json' },
    publicMethods: ['GET', 'HEAD'],
  },
  ...USERS_PUBLIC_PATHS.map(
    ({ path, auth }): EdgeRoute => ({
      name: `users-${path.replace('/', '-')}`,
      service: 'users',
      match: { path_separated_prefix: `/api/users/${path}` },
      publicMethods: 'all',
      auth,
    }),
  ),
  // Unsubscribe links in emails work without signing in: their signed token is the authority.
  {
    name: 'notifications-unsubscribe',
    service: 'notifications',
    match: { path_separated_prefix: '/api/notifications/unsubscribe' },
    publicMethods: 'all',
  },
  // Browsing the catalog needs no account; changing it does.
  {
    name: 'catalog',
    service: 'catalog',
    match: { path_separated_prefix: '/api/catalog' },
    publicMethods: ['GET', 'HEAD'],
  },
  // Payment providers call back without a user token (a card processor has none); payments accepts
  // only webhooks with a valid signature and a fresh timestamp, and applies each event once.
  {
    name: 'payments-webhooks',
    service: 'payments',
    match: { path_separated_prefix: '/api/payments/webhooks' },
    publicMethods: ['POST'],
  },
  ...SHOP_SERVICES.filter((service) => service !== 'catalog').map(
    (service): EdgeRoute => ({
      name: service,
      service,
      match: { path_separated_prefix: `/api/${service}` },
      ...(service === 'backoffice' ? { roles: BACKOFFICE_ROLES } : {}),
    }),
  ),
  // Everything else is the web app (its pages and assets), readable without an account. Last, so
  // every API route above wins; present only when the edge is given the web service.
  { name: 'web', service: WEB_UPSTREAM, match: { prefix: '/' }, publicMethods: ['GET', 'HEAD'] },
];

/** The routes of an edge: the web app's only when there is a web service behind it. */
export const edgeRoutesFor = (input: { web?: unknown }) =>
  EDGE_ROUTES.filter((route) => route.service !== WEB_UPSTREAM || input.web !== undefined);
