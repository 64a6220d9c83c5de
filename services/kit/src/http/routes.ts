// Routes declared once, with their schemas: the same zod schemas validate requests and produce the
// OpenAPI document, so the documentation cannot drift from what the service accepts.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { ApiKeyScope } from '../auth/api-key-scopes.js';
import type { AuthenticatedUser, JwtVerifier } from '../auth/jwt-verifier.js';
import { authenticate, requireApiKeyScope, requireRole } from '../auth/middleware.js';
import { readJsonBody } from './body.js';
import { readIdempotencyKey } from './idempotency.js';
import { assertStoreSafe, parseInput } from './validation.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** Set when the route declares `auth`. */
  user: AuthenticatedUser;
  /** The Idempotency-Key header; set when the route declares `idempotencyKey`. */
  idempotencyKey: string;
  ctx: Context;
}

export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  summary: string;
  tags?: string[];
  /** `true`: any signed-in user; a list: only those roles. Absent: public. */
  auth?: true | readonly string[];
  /** A token exchanged for an API key with this scope is accepted too (the roles still apply). */
  apiKeyScope?: ApiKeyScope;
  body?: B;
  query?: Q;
  params?: P;
  /** The route refuses a request without an Idempotency-Key header (checked after the input). */
  idempotencyKey?: boolean;
  /** Documented responses: status → description and (optional) body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export type RouteHandler<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> = (
  input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>,
) => Promise<RouteResult>;

export interface RegisteredRoute {
  method: HttpMethod;
  path: string;
  spec: RouteSpec;
}

export class HttpRoutes {
  readonly router = new Router();
  readonly registered: RegisteredRoute[] = [];

  constructor(private readonly options: { verifier?: JwtVerifier; bodyLimitBytes?: number } = {}) {}

  add<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    method: HttpMethod,
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ): this {
    this.registered.push({ method, path, spec: spec as unknown as RouteSpec });
    const bodyLimit = this.options.bodyLimitBytes ?? 1024 * 1024;
    this.router[method](path, async (ctx) => {
      ctx.state.route = path;
      let user = undefined as unknown as AuthenticatedUser;
      if (spec.auth) {
        if (!this.options.verifier)
          throw new Error(`route ${path} needs auth but HttpRoutes has no verifier`);
        user = await authenticate(ctx, this.options.verifier);
        requireApiKeyScope(user, spec.apiKeyScope);
        if (spec.auth !== true) requireRole(user, spec.auth);
      }
      const rawBody = spec.body ? await readJsonBody(ctx, bodyLimit) : undefined;
      // Without a schema the handler gets `undefined` (body, query) or the raw strings (params).
      const body = (spec.body ? parseInput(spec.body, rawBody ?? {}, 'body') : undefined) as z.infer<B>;
      const query = (spec.query ? parseInput(spec.query, ctx.query, 'query') : undefined) as z.infer<Q>;
      if (!spec.params) assertStoreSafe(ctx.params, 'params');
      const params = (spec.params ? parseInput(spec.params, ctx.params, 'params') : ctx.params) as z.infer<P>;
      const idempotencyKey = spec.idempotencyKey ? readIdempotencyKey(ctx) : (undefined as unknown as string);
      const result = await handler({ body, query, params, user, idempotencyKey, ctx });
      ctx.status = result.status ?? (result.body === undefined ? 204 : 200);
      for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
      if (result.body !== undefined) ctx.body = result.body;
    });
    return this;
  }

  get<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ) {
    return this.add('get', path, spec, handler);
  }

  post<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ) {
    return this.add('post', path, spec, handler);
  }

  put<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ) {
    return this.add('put', path, spec, handler);
  }

  patch<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ) {
    return this.add('patch', path, spec, handler);
  }

  delete<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
    path: string,
    spec: RouteSpec<B, Q, P>,
    handler: RouteHandler<B, Q, P>,
  ) {
    return this.add('delete', path, spec, handler);
  }
}
