// The payments service's own parts: the ledger on MongoDB, the payment provider, the HTTP and gRPC
// APIs, recovery and reconciliation. The kit boots it (see @shopstack/kit's boot.ts); main.ts runs
// it as a process, tests start it in-process on port 0.
import { bootService, defineService, periodicWorker } from '@shopstack/kit';
import { PaymentsServiceDefinition } from '@shopstack/proto/shop/payments/v1/payments';
import { connectPaymentsDb } from './adapters/mongo.js';
import { MongoOutbox } from './adapters/outbox.js';
import { SandboxProvider } from './adapters/providers/sandbox.js';
import { purgeAllDocuments } from './adapters/retention.js';
import { paymentsRetentionRules } from './adapters/retention-rules.js';
import { paymentsGrpcCallers, paymentsGrpcService } from './api/grpc.js';
import { registerRoutes } from './api/http/index.js';
import { paymentsMetrics } from './api/metrics.js';
import { describeReport, recoverOnce } from './app/jobs.js';
import { createPaymentsApp } from './app/payments.js';
import { type PaymentsConfig, paymentsConfigSchema } from './config.js';

export const paymentsService = defineService({
  name: 'payments',
  description: 'Accounts, transfers, top-ups, withdrawals',
  configSchema: paymentsConfigSchema,
  async setup({ config, logger, metrics, onClose, httpUrl }) {
    const own = paymentsMetrics(metrics);
    const db = await connectPaymentsDb(config.MONGO_URL, config.MONGO_DB);
    onClose(() => db.client.close());

    // The sandbox lets anyone create money with a test card, so it exists only where it was chosen.
    const provider =
      config.PAYMENT_PROVIDER === 'sandbox'
        ? new SandboxProvider({
            db: db.db,
            secret: config.SANDBOX_WEBHOOK_SECRET!,
            webhookUrl: () => config.SANDBOX_WEBHOOK_URL ?? `${httpUrl()}/api/payments/webhooks/sandbox`,
            delayMs: config.SANDBOX_DELAY_MS,
            onError: (err) => logger.warn({ err }, 'sandbox provider delivery failed'),
          })
        : undefined;
    if (!provider) logger.warn('no payment provider configured: top-ups and withdrawals are refused');
    const outbox = new MongoOutbox(db.outbox, db.outboxClaims, config.EVENTS_EXCHANGE);
    if (!config.AMQP_URL) logger.warn('no AMQP_URL: payment events are stored and wait for a broker');
    const app = createPaymentsApp({
      db,
      outbox,
      provider,
      fees: config.FEES_JSON,
      holdTtlSeconds: config.HOLD_TTL_SECONDS,
      recoveryGraceMs: config.RECOVERY_GRACE_MS,
      dailyLimits: {
        topup: config.TOPUP_DAILY_LIMIT_MINOR,
        withdrawal: config.WITHDRAWAL_DAILY_LIMIT_MINOR,
      },
    });

    // Recovery runs at once on start: whatever a crash interrupted is finished before long.
    const jobOptions = { graceMs: config.RECOVERY_GRACE_MS, providerTimeoutMs: config.PROVIDER_TIMEOUT_MS };
    return {
      routes: [(routes) => registerRoutes(routes, app, config.CURRENCIES, logger)],
      grpc: [
        {
          definition: PaymentsServiceDefinition,
          implementation: paymentsGrpcService(app, config.CURRENCIES),
          callers: paymentsGrpcCallers,
        },
      ],
      readiness: [{ name: 'mongodb', check: async () => void (await db.db.command({ ping: 1 })) }],
      workers: [
        periodicWorker(
          'recovery',
          config.RECOVERY_INTERVAL_MS,
          async () => own.recovered.inc(await recoverOnce(app, jobOptions)),
          (err) => logger.error({ err }, 'recovery run failed'),
        ),
        periodicWorker(
          'reconciliation',
          config.RECONCILE_INTERVAL_MS,
          async () => {
            const report = await app.reconciliation.run();
            own.recordReconciliation(report);
            for (const problem of report.problems) logger.error(problem, 'reconciliation: journal problem');
            logger.info(describeReport(report), 'reconciliation finished');
          },
          (err) => logger.error({ err }, 'reconciliation run failed'),
        ),
        ...(provider
          ? [{ name: 'sandbox provider', start: () => provider.start(), stop: () => provider.stop() }]
          : []),
      ],
      outbox: config.AMQP_URL ? { store: outbox } : undefined,
      // Its old documents on MongoDB, when the back office's nightly retention run asks (like every service).
      retention: { run: () => purgeAllDocuments(paymentsRetentionRules(db, provider, config)) },
      exposed: { app, outbox },
    };
  },
});

export function startPaymentsService(config: PaymentsConfig) {
  return bootService(paymentsService, config);
}

export type PaymentsService = Awaited<ReturnType<typeof startPaymentsService>>;
