// The operator's process: every replica serves metrics and probes; only the one holding the Lease
// reconciles. A replica that loses the Lease exits, so its caches and queue can never act on stale
// leadership; Kubernetes (or the supervisor) restarts it as a standby. main.ts starts it.
import { pino } from 'pino';
import { ShopController } from './controller/controller.js';
import { LeaderElector } from './controller/leader-election.js';
import { KubeClient } from './kube/client.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { loadConfig } from './runtime/config.js';
import { loadDashboards, loadRules } from './runtime/dashboards.js';
import { startOpsServer } from './runtime/http.js';
import { createMetrics } from './runtime/metrics.js';

function writePurpose(path: string): string {
  if (path.includes('/leases')) return 'lease';
  if (path.endsWith('/events')) return 'event';
  if (path.endsWith('/status')) return 'status';
  return 'reconcile';
}

export async function runOperator(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.LOG_LEVEL, base: { identity: config.identity } });
  const metrics = createMetrics();
  const client = new KubeClient(loadKubeConfig(), (verb, path) =>
    metrics.apiWrites.inc({ verb, purpose: writePurpose(path) }),
  );
  const dashboards = loadDashboards(config.DASHBOARDS_DIR);
  const rules = loadRules(config.RULES_DIR);
  const controller = new ShopController({
    client,
    log,
    metrics,
    render: { dashboards, rules },
    identity: config.identity,
    workers: config.WORKERS,
    relistSeconds: config.RELIST_SECONDS,
    watchTimeoutSeconds: config.WATCH_TIMEOUT_SECONDS,
    shard: config.SHARD,
  });
  const elector = new LeaderElector(
    client,
    {
      namespace: config.POD_NAMESPACE,
      name: config.LEASE_NAME,
      identity: config.identity,
      leaseDurationSeconds: config.LEASE_DURATION_SECONDS,
      renewDeadlineSeconds: config.RENEW_DEADLINE_SECONDS,
      retryPeriodSeconds: config.RETRY_PERIOD_SECONDS,
    },
    log,
  );
  const ops = await startOpsServer(config.METRICS_HOST, config.METRICS_PORT, metrics.registry, {
    live: () => true,
    ready: () => !elector.isLeader || controller.hasSynced(),
  });
  log.info(
    { port: ops.port, dashboards: Object.keys(dashboards).length, ruleFiles: Object.keys(rules).length },
    'operator started, ops server listening',
  );

  const stop = new AbortController();
  let exitCode = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down');
      stop.abort();
    });
  }

  if (await elector.acquire(stop.signal)) {
    metrics.leader.set(1);
    const leadership = new AbortController();
    stop.signal.addEventListener('abort', () => leadership.abort(), { once: true });
    const running = controller.run(leadership.signal);
    const kept = await elector.holdLeadership(stop.signal);
    if (!kept) exitCode = 1;
    leadership.abort();
    await running;
    metrics.leader.set(0);
    await elector.release();
  }
  ops.server.close();
  log.info('stopped');
  log.flush?.();
  process.exit(exitCode);
}
