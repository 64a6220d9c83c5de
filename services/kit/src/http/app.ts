// The Koa app every service serves: request ids, tracing, metrics and access logs, problem+json
// errors, /healthz, /readyz, /metrics, /openapi.json, then the service's own routes.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { SpanStatusCode } from '@opentelemetry/api';
import Koa, { type Context, type Next } from 'koa';
import { isAppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { runWithRequestId } from '../request-context.js';
import { extractTraceContext, inSpan, SpanKind } from '../tracing.js';
import { buildOpenApi, type OpenApiInfo } from './openapi.js';
import { internalProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemFromError } from './problem.js';
import type { HttpRoutes } from './routes.js';
import { type StaticSite, staticSite } from './static-site.js';

/** A dependency the service needs to do useful work; /readyz fails while any check throws. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  routes: HttpRoutes;
  openApi: OpenApiInfo;
  readiness?: ReadinessCheck[];
  /** Flipped to false at shutdown so load balancers stop sending traffic before we stop listening. */
  isAccepting?: () => boolean;
  /** A single-page app served after the routes (the web service). */
  site?: StaticSite;
}

const REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,128}$/;

/**
 * The client's address as the edge determined it (its peer, or the entry trusted proxy hops from the
 * right of X-Forwarded-For). The edge overwrites whatever a client sent in it; X-Forwarded-For itself
 * is never read, because its left part is whatever the client wrote. Same name as the Envoy renderer's.
 */
export const CLIENT_IP_HEADER = 'x-client-ip';

export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa();
  // ctx.ip is the edge's CLIENT_IP_HEADER (one value, the last if repeated), else the TCP peer.
  app.proxy = true;
  app.proxyIpHeader = CLIENT_IP_HEADER;
  app.maxIpsCount = 1;
  app.silent = true; // errors are logged by our own handler, once, with context

  app.use(requestContext);
  app.use(tracingAndMetrics(options));
  app.use(problemErrors(options.logger));
  const operational = operationalRoutes(options);
  app.use(operational.routes());
  app.use(options.routes.router.routes());
  if (options.site) app.use(staticSite(options.site));
  app.use(unmatched([operational, options.routes.router]));
  return app;
}

async function requestContext(ctx: Context, next: Next) {
  const incoming = ctx.get('x-request-id');
  const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
  ctx.state.requestId = requestId;
  ctx.set('X-Request-Id', requestId);
  await runWithRequestId(requestId, next);
}

function tracingAndMetrics({ logger, metrics }: HttpAppOptions) {
  return async (ctx: Context, next: Next) => {
    const stop = metrics.httpDuration.startTimer();
    const parent = extractTraceContext(ctx.headers as Record<string, unknown>);
    await inSpan(`HTTP ${ctx.method}`, SpanKind.SERVER, parent, async (span) => {
      try {
        await next();
      } finally {
        const route =
          (ctx.state.route as string | undefined) ?? (ctx.status === 404 ? 'unmatched' : ctx.path);
        const labels = { method: ctx.method, route, status: String(ctx.status) };
        span.updateName(`HTTP ${ctx.method} ${route}`);
        span.setAttributes({ 'http.request.method': ctx.method, 'http.route': route });
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        metrics.httpRequests.inc(labels);
        if (ctx.status >= 500) metrics.httpErrors.inc(labels);
        const seconds = stop(labels);
        if (!route.startsWith('/metrics') && !route.startsWith('/healthz') && !route.startsWith('/readyz')) {
          logger.info(
            { method: ctx.method, route, status: ctx.status, durationMs: Math.round(seconds * 1000) },
            'request',
          );
        }
      }
    });
  };
}

function problemErrors(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      const problem = isAppError(error) ? problemFromError(error, ctx.path) : internalProblem(ctx.path);
      if (!isAppError(error)) logger.error({ err: error }, 'unhandled error');
      if (isAppError(error) && error.retryAfterSeconds !== undefined) {
        ctx.set('Retry-After', String(error.retryAfterSeconds));
      }
      ctx.status = problem.status;
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = problem;
    }
  };
}

function operationalRoutes(options: HttpAppOptions) {
  const router = new Router();
  let openApiDocument: Record<string, unknown> | undefined;

  router.get('/healthz', (ctx) => {
    ctx.state.route = '/healthz';
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.state.route = '/readyz';
    const checks: Record<string, string> = {};
    let ready = options.isAccepting?.() ?? true;
    if (!ready) checks.shutdown = 'in progress';
    for (const { name, check } of options.readiness ?? []) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        ready = false;
        checks[name] = (error as Error).message || 'failed';
      }
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  router.get('/metrics', async (ctx) => {
    ctx.state.route = '/metrics';
    ctx.type = options.metrics.registry.contentType;
    ctx.body = await options.metrics.registry.metrics();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.state.route = '/openapi.json';
    openApiDocument ??= buildOpenApi(options.openApi, options.routes.registered);
    ctx.body = openApiDocument;
  });
  return router;
}

/**
 * Reached when no route answered. A path that exists under other methods is a 405 with `Allow`
 * (OPTIONS answers with the same list), any other path a 404; either way the status line and the
 * problem body say the same. Hand-written instead of koa-router's allowedMethods(), which answers
 * methods it does not know (TRACE) with 501 and runs after this handler had already set a 404 body.
 */
function unmatched(routers: Router[]) {
  return async (ctx: Context) => {
    if (ctx.body !== undefined || ctx.status !== 404) return;
    const allowed = new Set<string>();
    for (const router of routers) {
      for (const layer of router.match(ctx.path, ctx.method).path) {
        for (const method of layer.methods) allowed.add(method);
      }
    }
    ctx.state.route = allowed.size > 0 ? 'unmatched-method' : 'unmatched';
    if (allowed.size === 0) {
      problem(ctx, 404, 'not-found', 'Not found', `no route for ${ctx.method} ${ctx.path}`);
      return;
    }
    allowed.add('OPTIONS');
    ctx.set('Allow', [...allowed].sort().join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    problem(
      ctx,
      405,
      'method-not-allowed',
      'Method not allowed',
      `${ctx.path} does not answer ${ctx.method}`,
    );
  };
}

function problem(ctx: Context, status: number, code: string, title: string, detail: string) {
  ctx.status = status;
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = { type: PROBLEM_TYPE_BASE + code, title, status, detail, instance: ctx.path };
}
