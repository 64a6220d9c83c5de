// Routes for the other services, inside the cluster only: the edge routes nothing under /internal,
// and they stay out of the public OpenAPI document (registered on the router, not the route table).
import { type HttpRoutes, parseInput, TOKEN_DENIALS_PATH } from '@shopstack/kit';
import { z } from 'zod';
import type { UsersDeps } from '../../app/deps.js';
import { tokenDenialsSince } from '../../app/queries.js';

const FeedQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,20}$/, 'a cursor this feed returned')
    .optional(),
});

export function addInternalRoutes(routes: HttpRoutes, deps: UsersDeps): void {
  // Every service's token verifier polls this (see @shopstack/kit's token-denials.ts).
  routes.router.get(TOKEN_DENIALS_PATH, async (ctx) => {
    const { after } = parseInput(FeedQuery, ctx.query, 'query');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await tokenDenialsSince(deps, after);
  });
}
