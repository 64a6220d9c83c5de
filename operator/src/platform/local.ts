// A service's environment as a process on this machine (`npm start`): the pod's contract
// (platform/env.ts) with the local servers' addresses and the local-only secrets of the state folder.
// Reads PG_PORT, AMQP_PORT, MONGO_PORT, MAILPIT_SMTP_PORT, EDGE_PORT and INFRA_STATE from the
// environment it is given, and OTLP_HTTP_PORT (the local Jaeger) when spans should be exported.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShopService } from '../api/constants.js';
import { type EnvVar, literal, serviceEnvironment, WEBHOOK_PATH } from './env.js';
import { type OwnSecret, PLATFORM_SERVICES } from './services.js';

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Local secret files, as `npm start` always named them. */
const SECRET_FILES: Record<Exclude<OwnSecret, 'smtp'>, string> = {
  signingKeys: 'signing-key-encryption',
  paymentsWebhook: 'sandbox-webhook',
  unsubscribeSigning: 'unsubscribe-signing',
  apiKeyPepper: 'api-key-pepper',
  webhookSecrets: 'webhook-secret-encryption',
};

/**
 * Local conveniences, switched on here and never by default: plain SMTP to the local Mailpit, the
 * sandbox SMS / push providers, webhooks to loopback receivers over plain http, links to the local edge.
 */
function localOnly(name: ShopService, env: Env): EnvVar[] {
  if (name !== 'notifications') return [];
  return [
    { name: 'SMTP_REQUIRE_TLS', value: 'false' },
    { name: 'SANDBOX_PROVIDERS', value: 'true' },
    // Webhook receivers on this machine (a person's curl walk-through, local tests).
    { name: 'WEBHOOK_ALLOWED_CIDRS', value: '127.0.0.0/8' },
    { name: 'WEBHOOK_ALLOW_PLAIN_HTTP', value: 'true' },
    { name: 'PUBLIC_URL', value: `http://127.0.0.1:${env.EDGE_PORT ?? '8080'}` },
  ];
}

/** Local stand-ins for the Secrets a pod reads: the local Mailpit, or a secret file of the state folder. */
function localSecretValue(env: Env, kind: OwnSecret): string {
  if (kind === 'smtp') return `smtp://127.0.0.1:${env.MAILPIT_SMTP_PORT ?? '1025'}`;
  return localSecret(env, kind);
}

/** A secret made once per state folder, never printed to a log and never committed. */
function localSecret(env: Env, kind: Exclude<OwnSecret, 'smtp'>): string {
  const dir = join(required(env, 'INFRA_STATE'), 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, SECRET_FILES[kind]);
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Where `npm start` keeps the local CA and each service's certificate (local-platform.ts certificates). */
export const localPkiDir = (env: Env) => join(required(env, 'INFRA_STATE'), 'pki');
export const localGrpcTlsDir = (env: Env, name: string) => join(localPkiDir(env), name);

export function localServiceEnv(name: ShopService, env: Env = process.env): EnvVar[] {
  const ports = (s: ShopService) => PLATFORM_SERVICES[s].local;
  const store = PLATFORM_SERVICES[name].store;
  const database =
    store === 'postgres'
      ? `postgres://postgres@127.0.0.1:${required(env, 'PG_PORT')}/shopstack_${name}`
      : `mongodb://127.0.0.1:${required(env, 'MONGO_PORT')}/`;
  return [
    ...serviceEnvironment(name, {
      host: '127.0.0.1',
      httpPort: ports(name).httpPort,
      grpcPort: ports(name).grpcPort,
      database: literal(database),
      broker: literal(`amqp://guest:guest@127.0.0.1:${required(env, 'AMQP_PORT')}`),
      peerAddress: (peer) => `127.0.0.1:${ports(peer).grpcPort}`,
      grpcTlsDir: localGrpcTlsDir(env, name),
      jwksUrl: `http://127.0.0.1:${ports('users').httpPort}/.well-known/jwks.json`,
      jwt: { issuer: 'shopstack-users', audience: 'shopstack' },
      secret: (kind) => literal(localSecretValue(env, kind)),
      // The local platform is a sandbox: its test cards create money, so it says so explicitly.
      payments: {
        provider: 'sandbox',
        dailyLimits: { topUpMinor: 100_000, withdrawalMinor: 100_000 },
        webhookUrl: `http://127.0.0.1:${env.EDGE_PORT ?? '8080'}${WEBHOOK_PATH}`,
      },
      tracesUrl: env.OTLP_HTTP_PORT ? `http://127.0.0.1:${env.OTLP_HTTP_PORT}/v1/traces` : undefined,
      // Warnings and errors into the back office's searchable log store (GET /api/backoffice/logs).
      logSinkUrl: `http://127.0.0.1:${ports('backoffice').httpPort}/internal/log-events`,
    }),
    // One MongoDB server for everything on this machine: the database is named per service.
    ...(store === 'mongodb' ? [{ name: 'MONGO_DB', value: `shopstack_${name}` }] : []),
    ...localOnly(name, env),
    { name: 'LOG_LEVEL', value: env.LOG_LEVEL ?? 'info' },
  ];
}
