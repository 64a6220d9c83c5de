// Assembles the payments service: database, provider, use cases, HTTP and gRPC servers, background jobs.
// main.ts runs it as a process; tests start it in-process on port 0.
import {
  createGrpcServer,
  createHttpApp,
  createJwtVerifier,
  createLogger,
  createMetrics,
  HttpRoutes,
  type RunningService,
  startService,
} from '@shopstack/kit';
import { loadDescriptorSet } from '@shopstack/proto';
import { PaymentsServiceDefinition } from '@shopstack/proto/shop/payments/v1/payments';
import { connectPaymentsDb } from './adapters/mongo.js';
import { SandboxProvider } from './adapters/providers/sandbox.js';
import { paymentsGrpcService } from './api/grpc.js';
import { registerRoutes } from './api/http/index.js';
import { paymentsMetrics } from './api/metrics.js';
import { describeReport, every, recoverOnce } from './app/jobs.js';
import { createPaymentsApp, type PaymentsApp } from './app/payments.js';
import type { PaymentsConfig } from './config.js';

export interface PaymentsService extends RunningService {
  app: PaymentsApp;
}

export async function startPaymentsService(config: PaymentsConfig): Promise<PaymentsService> {
  const logger = createLogger({ service: 'payments', level: config.LOG_LEVEL });
  const metrics = createMetrics('payments');
  const own = paymentsMetrics(metrics);
  const db = await connectPaymentsDb(config.MONGO_URL, config.MONGO_DB);

  let httpUrl = '';
  const provider = new SandboxProvider({
    db: db.db,
    secret: config.SANDBOX_WEBHOOK_SECRET,
    webhookUrl: () => config.SANDBOX_WEBHOOK_URL ?? `${httpUrl}/api/payments/webhooks/sandbox`,
    delayMs: config.SANDBOX_DELAY_MS,
    onError: (err) => logger.warn({ err }, 'sandbox provider delivery failed'),
  });
  const app = createPaymentsApp({
    db,
    provider,
    fees: config.FEES_JSON,
    holdTtlSeconds: config.HOLD_TTL_SECONDS,
  });

  const verifier = createJwtVerifier({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const routes = new HttpRoutes({ verifier, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
  registerRoutes(routes, app, config.CURRENCIES, logger);
  let accepting = true;
  const http = createHttpApp({
    service: 'payments',
    logger,
    metrics,
    routes,
    openApi: {
      title: 'ShopStack payments',
      version: '1.0.0',
      description: 'Accounts, transfers, top-ups, withdrawals',
    },
    readiness: [{ name: 'mongodb', check: async () => void (await db.db.command({ ping: 1 })) }],
    isAccepting: () => accepting,
  });
  const grpc = createGrpcServer({
    logger,
    metrics,
    descriptorSet: loadDescriptorSet(),
    services: [
      { definition: PaymentsServiceDefinition, implementation: paymentsGrpcService(app, config.CURRENCIES) },
    ],
  });

  const jobs: { stop(): Promise<void> }[] = [];
  const running = await startService({
    logger,
    host: config.HOST,
    httpPort: config.HTTP_PORT,
    http,
    grpcPort: config.GRPC_PORT,
    grpc,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopAccepting: () => {
      accepting = false;
    },
    closers: [
      () => db.client.close(),
      async () => {
        provider.stop();
        await Promise.all(jobs.map((job) => job.stop()));
      },
    ],
  });
  httpUrl = running.httpUrl;

  // Recovery runs at once on start: whatever a crash interrupted is finished before long.
  const jobOptions = { graceMs: config.RECOVERY_GRACE_MS, providerTimeoutMs: config.PROVIDER_TIMEOUT_MS };
  jobs.push(
    every(
      config.RECOVERY_INTERVAL_MS,
      async () => own.recovered.inc(await recoverOnce(app, jobOptions)),
      (err) => logger.error({ err }, 'recovery run failed'),
    ),
    every(
      config.RECONCILE_INTERVAL_MS,
      async () => {
        const report = await app.reconciliation.run();
        own.recordReconciliation(report);
        for (const problem of report.problems) logger.error(problem, 'reconciliation: journal problem');
        logger.info(describeReport(report), 'reconciliation finished');
      },
      (err) => logger.error({ err }, 'reconciliation run failed'),
    ),
  );
  provider.start();
  return { ...running, app };
}
