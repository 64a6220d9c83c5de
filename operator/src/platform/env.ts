// The environment contract between the platform and every service (each service's config.ts), once
// for both places a service runs: a pod (values and Secret references rendered by the operator) and a
// process on this machine (`npm start`, literal values). What differs is only where values come from.
import { JWKS_CACHE_SECONDS, type ShopService } from '../api/constants.js';
import { type OwnSecret, PLATFORM_SERVICES, peerEnv, SHUTDOWN, STORE_ENV } from './services.js';

export interface SecretRef {
  name: string;
  key: string;
}
export type EnvValue = { value: string } | { valueFrom: { secretKeyRef: SecretRef } };
export type EnvVar = { name: string } & EnvValue;

export interface EnvSources {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** The service's own database. */
  database: EnvValue;
  broker: EnvValue;
  peerAddress(peer: ShopService): string;
  /** The folder with the service's gRPC identity: ca.crt, tls.crt, tls.key (its mounted Secret, or local files). */
  grpcTlsDir: string;
  jwksUrl: string;
  jwt: { issuer: string; audience: string };
  /** A Secret only this service reads; undefined = not configured (the service's own default applies). */
  secret(kind: OwnSecret): EnvValue | undefined;
  payments: PaymentsSettings;
  /** OTLP/HTTP traces endpoint (…/v1/traces); without it spans are not exported. */
  tracesUrl?: string | undefined;
  /** The back office's log intake (the kit's LOG_SINK_URL); without it logs stay on stdout only. */
  logSinkUrl?: string | undefined;
}

/** The OpenTelemetry SDK's own variables (services/kit/src/tracing.ts reads them through the config). */
function tracingEnvironment(name: ShopService, tracesUrl: string | undefined): EnvVar[] {
  if (!tracesUrl) return [];
  return [
    { name: 'OTEL_SERVICE_NAME', value: name },
    { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
    { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: tracesUrl },
  ];
}

/** How money enters and leaves (spec.payments); read by payments alone. */
export interface PaymentsSettings {
  provider: 'none' | 'sandbox';
  dailyLimits: { topUpMinor: number; withdrawalMinor: number };
  /** Where the sandbox calls back: the edge, as a real processor would. */
  webhookUrl: string;
}

function paymentsEnv(settings: PaymentsSettings): EnvVar[] {
  return [
    { name: 'PAYMENT_PROVIDER', value: settings.provider },
    { name: 'TOPUP_DAILY_LIMIT_MINOR', value: String(settings.dailyLimits.topUpMinor) },
    { name: 'WITHDRAWAL_DAILY_LIMIT_MINOR', value: String(settings.dailyLimits.withdrawalMinor) },
    ...(settings.provider === 'sandbox' ? [{ name: 'SANDBOX_WEBHOOK_URL', value: settings.webhookUrl }] : []),
  ];
}

/** The edge path provider webhooks arrive on (the edge lets it through without a user token). */
export const WEBHOOK_PATH = '/api/payments/webhooks/sandbox';

export const literal = (value: string): EnvValue => ({ value });
export const fromSecret = (ref: SecretRef): EnvValue => ({ valueFrom: { secretKeyRef: ref } });

export function serviceEnvironment(name: ShopService, sources: EnvSources): EnvVar[] {
  const service = PLATFORM_SERVICES[name];
  const own = Object.entries(service.ownSecrets).flatMap(([variable, kind]) => {
    const value = kind && sources.secret(kind);
    return value ? [{ name: variable, ...value }] : [];
  });
  return [
    { name: 'HOST', value: sources.host },
    { name: 'HTTP_PORT', value: String(sources.httpPort) },
    { name: 'GRPC_PORT', value: String(sources.grpcPort) },
    { name: STORE_ENV[service.store], ...sources.database },
    ...(service.broker ? [{ name: 'AMQP_URL', ...sources.broker }] : []),
    { name: 'JWT_ISSUER', value: sources.jwt.issuer },
    { name: 'JWT_AUDIENCE', value: sources.jwt.audience },
    { name: 'JWKS_URL', value: sources.jwksUrl },
    // users publishes a new signing key for longer than the edge caches the JWKS before signing with it.
    ...(name === 'users' ? [{ name: 'EDGE_JWKS_CACHE_SECONDS', value: String(JWKS_CACHE_SECONDS) }] : []),
    ...service.peers.map((peer) => ({ name: peerEnv(peer), value: sources.peerAddress(peer) })),
    // Mutual TLS on every gRPC server and client, with the certificate the operator (or `npm start`) issued.
    { name: 'GRPC_TLS_DIR', value: sources.grpcTlsDir },
    { name: 'SHUTDOWN_DRAIN_DELAY_MS', value: String(SHUTDOWN.drain * 1000) },
    { name: 'SHUTDOWN_TIMEOUT_MS', value: String(SHUTDOWN.timeout * 1000) },
    ...own,
    ...(name === 'payments' ? paymentsEnv(sources.payments) : []),
    ...tracingEnvironment(name, sources.tracesUrl),
    ...(sources.logSinkUrl ? [{ name: 'LOG_SINK_URL', value: sources.logSinkUrl }] : []),
  ];
}
