// The edge's route table. One list decides both where a path goes and whether it needs a token,
// so the router and the JWT filter cannot drift apart.
import { SHOP_SERVICES, type ShopService } from '../../api/constants.js';

export interface EdgeRoute {
  name: string;
  service: ShopService;
  match: { path: string } | { path_separated_prefix: string };
  /** Methods that may pass without a token; undefined = all methods need a token. */
  publicMethods?: 'all' | readonly string[];
  /** Brute-force sensitive: gets the stricter per-client limit. */
  auth?: boolean;
}

const AUTH_PATHS = ['register', 'login', 'refresh'] as const;

export const EDGE_ROUTES: readonly EdgeRoute[] = [
  {
    name: 'jwks',
    service: 'users',
    match: { path: '/.well-known/jwks.json' },
    publicMethods: ['GET', 'HEAD'],
  },
  ...AUTH_PATHS.map(
    (action): EdgeRoute => ({
      name: `users-${action}`,
      service: 'users',
      match: { path_separated_prefix: `/api/users/${action}` },
      publicMethods: 'all',
      auth: true,
    }),
  ),
  // Browsing the catalog needs no account; changing it does.
  {
    name: 'catalog',
    service: 'catalog',
    match: { path_separated_prefix: '/api/catalog' },
    publicMethods: ['GET', 'HEAD'],
  },
  ...SHOP_SERVICES.filter((service) => service !== 'catalog').map(
    (service): EdgeRoute => ({ name: service, service, match: { path_separated_prefix: `/api/${service}` } }),
  ),
];
