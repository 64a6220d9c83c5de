// POSTs one webhook, connecting only to addresses the target policy allows. The check runs inside the
// socket's own DNS lookup, so the address that is checked is the address that is connected to (no
// window for DNS rebinding between a check and the connection); an IP literal is checked before.
// Redirects are never followed. Node's http client with a `lookup` hook does this without a library.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkAddress, checkUrlShape, type TargetPolicy, TargetRefused } from '../domain/target-policy.js';

export interface WebhookResponse {
  statusCode: number | undefined;
  latencyMs: number;
  /** Why there is no status code: refused by the policy, unreachable, timed out. */
  error?: string;
}

const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Resolves `url`'s host and checks every address (registration time). Throws TargetRefused. */
export async function checkTarget(policy: TargetPolicy, url: URL): Promise<void> {
  checkUrlShape(url);
  const host = bareHost(url);
  const addresses = isIP(host)
    ? [host]
    : await dns.promises
        .lookup(host, { all: true, verbatim: true })
        .then((found) => found.map((a) => a.address))
        .catch(() => {
          throw new TargetRefused('webhook-url-unresolvable', `${host} does not resolve`);
        });
  for (const address of addresses) checkAddress(policy, url.protocol, address);
}

function guardedLookup(policy: TargetPolicy, protocol: string): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (error, found) => {
      if (error) return callback(error, '', 0);
      try {
        // Every address must pass: a host with one public and one private address is refused whole.
        for (const a of found) checkAddress(policy, protocol, a.address);
      } catch (refused) {
        return callback(refused as Error, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, found);
      const first = found[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

export async function postWebhook(
  policy: TargetPolicy,
  target: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<WebhookResponse> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(target);
    checkUrlShape(url);
    const host = bareHost(url);
    if (isIP(host)) checkAddress(policy, url.protocol, host);
  } catch (error) {
    return { statusCode: undefined, latencyMs: latency(), error: `refused: ${(error as Error).message}` };
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'ShopStack-Webhooks/1' },
        lookup: guardedLookup(policy, url.protocol),
        // A fresh connection per attempt: a kept-alive socket would skip the lookup and its check.
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        // The body is not needed; reading it frees the socket. Only its status is kept.
        response.resume();
        response.on('end', () => resolve({ statusCode: response.statusCode, latencyMs: latency() }));
        response.on('error', () => resolve({ statusCode: response.statusCode, latencyMs: latency() }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) =>
      resolve({
        statusCode: undefined,
        latencyMs: latency(),
        error: error instanceof TargetRefused ? `refused: ${error.message}` : error.message,
      }),
    );
    request.end(body);
  });
}
