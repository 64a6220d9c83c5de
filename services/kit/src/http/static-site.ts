// A single-page app's files, served by the kit after the service's own routes: files under
// assets/ carry a content hash in their names and are cached for a year (immutable); every other
// path that is not a file and not an API path gets index.html, never cached, so a new release is
// picked up on the next navigation. koa-send does the file serving (ranges, HEAD, path traversal).
import path from 'node:path';
import type { Context, Next } from 'koa';
import send from 'koa-send';

export interface StaticSite {
  /** The folder of the built app (index.html and assets/). */
  root: string;
  /** Path prefixes that are never pages of the app (their misses stay 404 problems). */
  apiPrefixes?: readonly string[];
  /** Extra headers on index.html (a Content-Security-Policy, say). */
  pageHeaders?: Readonly<Record<string, string>>;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export function staticSite(site: StaticSite) {
  const apiPrefixes = site.apiPrefixes ?? ['/api/'];
  return async (ctx: Context, next: Next) => {
    if (ctx.body !== undefined || ctx.status !== 404) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (apiPrefixes.some((prefix) => ctx.path.startsWith(prefix))) return next();
    const asset = ctx.path.startsWith('/assets/');
    const file = ctx.path === '/' ? '/index.html' : ctx.path;
    const sendFile = (name: string) =>
      send(ctx, name, {
        root: site.root,
        hidden: false,
        setHeaders: (res, served) => {
          const page = path.basename(served) === 'index.html';
          res.setHeader('Cache-Control', asset && !page ? IMMUTABLE : REVALIDATE);
          res.setHeader('X-Content-Type-Options', 'nosniff');
          if (page)
            for (const [name, value] of Object.entries(site.pageHeaders ?? {})) res.setHeader(name, value);
        },
      });
    try {
      ctx.state.route = asset ? '/assets/*' : '/*';
      await sendFile(file);
      return;
    } catch (error) {
      // koa-send answers a missing file 404 and a path outside the root 400/403: neither is a file here.
      const status = (error as { status?: number }).status ?? 500;
      if (status < 400 || status >= 500) throw error;
    }
    // A page of the app (no file extension): the app's shell, which routes in the browser.
    if (!asset && path.extname(ctx.path) === '' && !ctx.path.includes('..')) {
      ctx.state.route = '/*';
      await sendFile('/index.html');
      return;
    }
    ctx.state.route = undefined;
    return next();
  };
}
