// The notifications service's own parts: integration events in, deliveries out through the channel
// providers, preferences and deliveries over HTTP, sends and statuses over gRPC. The kit boots it
// (see @shopstack/kit's boot.ts); main.ts runs it as a process, tests start it on port 0.
import { fileURLToPath } from 'node:url';
import { bootService, defineService, type Logger, Sealer } from '@shopstack/kit';
import { NotificationsServiceDefinition } from '@shopstack/proto/shop/notifications/v1/notifications';
import { eventsConsumer } from './adapters/events-consumer.js';
import { notificationsRetentionRules } from './adapters/retention-rules.js';
import { createSandboxProvider, type SandboxProvider } from './adapters/sandbox-providers.js';
import { createSmtpProvider } from './adapters/smtp-provider.js';
import { createUnsubscribeTokens } from './adapters/unsubscribe-tokens.js';
import { createUsersDirectory } from './adapters/users-directory.js';
import { sealPlainSecrets } from './adapters/webhooks-repository.js';
import { notificationsGrpcCallers, notificationsGrpcService } from './api/grpc/notifications-grpc.js';
import { addNotificationRoutes } from './api/http/routes.js';
import { addWebhookRoutes } from './api/http/webhook-routes.js';
import type { NotificationsDeps } from './app/deps.js';
import { type ChannelProvider, Dispatcher } from './app/dispatcher.js';
import { handleIntegrationEvent } from './app/events.js';
import { createNotificationsMetrics } from './app/metrics.js';
import { WebhookSender } from './app/webhook-sender.js';
import { type NotificationsConfig, notificationsConfigSchema } from './config.js';
import { parseCidrList } from './domain/target-policy.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export const notificationsService = defineService({
  name: 'notifications',
  description: 'Preferences, deliveries and unsubscribe links',
  configSchema: notificationsConfigSchema,
  async setup({ config, logger, metrics, postgres, onClose, grpcTransport }) {
    const pool = await postgres({ url: config.DATABASE_URL, migrationsDir });
    const retry = {
      baseMs: config.RETRY_BASE_MS,
      maxMs: config.RETRY_MAX_MS,
      maxAttempts: config.MAX_ATTEMPTS,
    };

    const email = createSmtpProvider({
      url: config.SMTP_URL,
      requireTls: config.SMTP_REQUIRE_TLS,
      from: config.MAIL_FROM,
    });
    onClose(() => email.close());
    const sandbox: { sms?: SandboxProvider; push?: SandboxProvider } = {};
    const providers: ChannelProvider[] = [
      { channel: 'email', ratePerSecond: config.EMAIL_RATE_PER_SECOND, email },
    ];
    if (config.SANDBOX_PROVIDERS) {
      sandbox.sms = createSandboxProvider('sms');
      sandbox.push = createSandboxProvider('push');
      providers.push(
        { channel: 'sms', ratePerSecond: config.SMS_RATE_PER_SECOND, short: sandbox.sms },
        { channel: 'push', ratePerSecond: config.PUSH_RATE_PER_SECOND, short: sandbox.push },
      );
    } else {
      logger.info('no SMS or push provider configured: those deliveries wait until one is');
    }
    const directory = createUsersDirectory({
      address: config.USERS_GRPC_ADDRESS,
      metrics,
      transport: grpcTransport(),
      deadlineMs: config.GRPC_DEADLINE_MS,
      breakerResetMs: config.BREAKER_RESET_MS,
    });
    onClose(() => directory.close());
    const tokens = createUnsubscribeTokens(config.UNSUBSCRIBE_SECRET);
    const sealer = config.WEBHOOK_SECRET_ENCRYPTION_KEY
      ? new Sealer(config.WEBHOOK_SECRET_ENCRYPTION_KEY, 'WEBHOOK_SECRET_ENCRYPTION_KEY')
      : undefined;
    if (sealer) {
      const sealed = await sealPlainSecrets(pool, sealer);
      if (sealed > 0) logger.info({ sealed }, 'sealed webhook secrets stored in plain before');
    } else
      logger.warn('WEBHOOK_SECRET_ENCRYPTION_KEY is not set: webhook signing secrets are stored unsealed');
    const counters = createNotificationsMetrics(metrics, pool);
    const dispatcher = new Dispatcher({
      pool,
      logger,
      metrics,
      counters,
      providers,
      directory,
      tokens,
      publicUrl: config.PUBLIC_URL,
      mailDomain: config.MAIL_DOMAIN,
      retry,
      intervalMs: config.DISPATCH_INTERVAL_MS,
      batch: config.DISPATCH_BATCH,
      leaseMs: config.SEND_LEASE_MS,
      breakerResetMs: config.BREAKER_RESET_MS,
    });
    const targets = {
      allowedCidrs: parseCidrList(config.WEBHOOK_ALLOWED_CIDRS),
      allowPlainHttp: config.WEBHOOK_ALLOW_PLAIN_HTTP,
    };
    const webhookSender = new WebhookSender({
      pool,
      logger,
      targets,
      sealer,
      retry: {
        baseMs: config.WEBHOOK_RETRY_BASE_MS,
        maxMs: config.WEBHOOK_RETRY_MAX_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      },
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
      intervalMs: config.DISPATCH_INTERVAL_MS,
      batch: config.WEBHOOK_DISPATCH_BATCH,
      onOwnerNotified: () => dispatcher.wake(),
      metrics: counters.webhooks,
    });
    const deps: NotificationsDeps = {
      pool,
      logger,
      tokens,
      sealer,
      dispatcher,
      webhookSender,
      settings: {
        publicUrl: config.PUBLIC_URL,
        retry,
        webhooks: {
          targets,
          secretOverlapMs: config.WEBHOOK_SECRET_OVERLAP_MS,
          maxEndpointsPerOwner: config.WEBHOOK_MAX_ENDPOINTS_PER_OWNER,
        },
      },
    };
    return {
      routes: [(routes) => addNotificationRoutes(routes, deps), (routes) => addWebhookRoutes(routes, deps)],
      grpc: [
        {
          definition: NotificationsServiceDefinition,
          implementation: notificationsGrpcService(deps),
          callers: notificationsGrpcCallers,
        },
      ],
      consumers: [
        eventsConsumer({
          exchange: config.EVENTS_EXCHANGE,
          queue: config.EVENTS_QUEUE,
          pool,
          handle: async (client, message) => {
            await handleIntegrationEvent(deps, client, message);
          },
        }),
      ],
      retention: { pool, rules: notificationsRetentionRules(config) },
      // Stopped first on shutdown: the sends in flight finish and are recorded before the pool closes.
      workers: [
        { name: 'dispatcher', start: () => dispatcher.start(), stop: () => dispatcher.stop() },
        { name: 'webhooks', start: () => webhookSender.start(), stop: () => webhookSender.stop() },
      ],
      exposed: { deps, dispatcher, webhookSender, sandbox },
    };
  },
});

export function startNotificationsService(config: NotificationsConfig, logger?: Logger) {
  return bootService(notificationsService, config, { logger });
}

export type NotificationsService = Awaited<ReturnType<typeof startNotificationsService>>;
