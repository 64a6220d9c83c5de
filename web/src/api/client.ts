// Typed clients of the public APIs behind the edge, one per service, generated from the services'
// OpenAPI documents (src/api/generated, see scripts/gen-clients.mjs) and called through openapi-fetch.
//
// Every call carries the access token. Refresh rotation is quiet: a token three quarters through its
// life is refreshed before the call, and a 401 is retried once after a refresh. When the refresh itself is
// refused (the session was revoked: signed out elsewhere, blocked, password changed) the session is
// dropped and `onSignedOut` listeners send the person to sign-in; the cart stays in the orders
// service, so it is there again after signing back in.
import createClient from 'openapi-fetch';
import type { paths as BackofficePaths } from './generated/backoffice';
import type { paths as CatalogPaths } from './generated/catalog';
import type { paths as NotificationsPaths } from './generated/notifications';
import type { paths as OrdersPaths } from './generated/orders';
import type { paths as PaymentsPaths } from './generated/payments';
import type { paths as UsersPaths } from './generated/users';
import { readSession, type StoredSession, sessionFromTokens, writeSession } from './session-store';

const signedOutListeners = new Set<(reason: 'revoked') => void>();
export const onSignedOut = (listener: (reason: 'revoked') => void) => {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
};

let refreshing: Promise<StoredSession | null> | null = null;

/**
 * One refresh at a time, since a refresh token may be used only once (a second use revokes the
 * session): concurrent calls in this tab share one, and tabs take turns through a Web Lock. Inside
 * the lock the stored session is read again: another tab may have refreshed it already.
 */
export function refreshSession(): Promise<StoredSession | null> {
  if (refreshing) return refreshing;
  const spent = readSession()?.refreshToken;
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const run = locks
    ? (locks.request('shopstack.refresh', () =>
        refreshOnce(spent),
      ) as unknown as Promise<StoredSession | null>)
    : refreshOnce(spent);
  refreshing = run.finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function refreshOnce(spent: string | undefined): Promise<StoredSession | null> {
  const current = readSession();
  if (!current) return null;
  if (current.refreshToken !== spent) return current; // another tab refreshed meanwhile
  const response = await fetch('/api/users/token/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: current.refreshToken }),
  }).catch(() => undefined);
  if (!response) return current; // offline: keep the session, the call fails on its own
  if (!response.ok) {
    writeSession(null, 'revoked');
    for (const listener of signedOutListeners) listener('revoked');
    return null;
  }
  const next = sessionFromTokens(await response.json());
  writeSession(next);
  return next;
}

async function authorizedFetch(input: Request): Promise<Response> {
  let session = readSession();
  if (session && Date.now() >= session.refreshAt) session = await refreshSession();
  const retry = input.clone();
  const send = (request: Request, token: string | undefined) => {
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return fetch(request);
  };
  const response = await send(input, session?.accessToken);
  if (response.status !== 401 || !session) return response;
  const renewed = await refreshSession();
  return renewed ? send(retry, renewed.accessToken) : response;
}

const options = { baseUrl: window.location.origin, fetch: authorizedFetch };
export const users = createClient<UsersPaths>(options);
export const catalog = createClient<CatalogPaths>(options);
export const orders = createClient<OrdersPaths>(options);
export const payments = createClient<PaymentsPaths>(options);
export const notifications = createClient<NotificationsPaths>(options);
/** The back office's admin API (admin and support only; the edge refuses other tokens). */
export const backoffice = createClient<BackofficePaths>(options);

/** problem+json as every service answers an error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
}

/** The data of a call, or an ApiError carrying the problem the service answered. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const problem = (error ?? {}) as Partial<Problem>;
    throw new ApiError({
      type: problem.type ?? 'about:blank',
      title: problem.title ?? response.statusText,
      status: problem.status ?? response.status,
      detail: problem.detail ?? `${response.status} ${response.statusText}`,
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
  }
  return data as T;
}

/**
 * A file an API serves only with a token (a report's CSV): fetched with the session, then saved
 * through a temporary object URL, since a plain link could not carry the Authorization header.
 */
export async function downloadWithToken(path: string, filename: string): Promise<void> {
  const response = await authorizedFetch(new Request(new URL(path, window.location.origin)));
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
    throw new ApiError({
      type: problem.type ?? 'about:blank',
      title: problem.title ?? response.statusText,
      status: response.status,
      detail: problem.detail ?? `${response.status} ${response.statusText}`,
    });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A key for a money movement or a checkout: one per attempt, reused when the same attempt is retried. */
export const newIdempotencyKey = () => crypto.randomUUID();
