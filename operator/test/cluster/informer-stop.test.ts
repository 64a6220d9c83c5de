// Stopping an informer (its signal) aborts the request it has in flight, a list or a watch, so no
// request to the API server outlives it and run() returns at once. The informer talks through a proxy
// that can hold its connections and counts them: a client that aborts a watch closes its connection.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { KubeClient } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { loadKubeConfig, SharedConnectionsKubeConfig } from '../../src/kube/kubeconfig.js';
import { CONFIG_MAPS } from '../../src/kube/resources.js';
import { apiServer, clusterEnv, eventually } from '../support/cluster.js';
import { FreezableProxy } from '../support/freezable-proxy.js';

/** The admin kubeconfig, pointed at the proxy. */
function clientVia(proxy: FreezableProxy): KubeClient {
  const admin = loadKubeConfig(clusterEnv().kubeconfig);
  const current = admin.getCurrentCluster()!;
  const config = new SharedConnectionsKubeConfig();
  config.loadFromOptions({
    clusters: admin.clusters.map((cluster) =>
      cluster.name === current.name ? { ...cluster, server: `https://127.0.0.1:${proxy.port}` } : cluster,
    ),
    users: admin.users,
    contexts: admin.contexts,
    currentContext: admin.getCurrentContext(),
  });
  return new KubeClient(config);
}

describe('informer stop', function () {
  this.timeout(60_000);
  let proxy: FreezableProxy;
  let client: KubeClient;

  beforeEach(async () => {
    const api = apiServer();
    proxy = await FreezableProxy.start(api.hostname, Number(api.port));
    client = clientVia(proxy);
  });

  afterEach(async () => {
    // The proxy first: closing the client waits for whatever it still has on the way.
    await proxy?.close();
    await client?.close();
  });

  const selector = 'shopstack.io/informer-stop-test=none';
  // A selector that matches nothing keeps the list small on the shared cluster.
  const informer = () =>
    new Informer(client, CONFIG_MAPS, {
      labelSelector: selector,
      relistSeconds: 600,
      watchTimeoutSeconds: 300,
      log: pino({ level: 'silent' }),
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('aborts a list in flight', async () => {
    // The informer's first connection hangs before TLS is through, so its list gets no answer.
    proxy.holdNewConnections();
    const stop = new AbortController();
    const subject = informer();
    const running = subject.run(stop.signal);
    await eventually('the list to reach the proxy', () => proxy.openConnections === 1);
    await sleep(500);
    assert.equal(subject.hasSynced(), false, 'the list is still waiting');
    const stoppedAt = Date.now();
    stop.abort();
    await running;
    // Without the abort, run() would wait for the list's connect timeout or its 30 s deadline. (The
    // connection attempt itself is undici's to give up; no request went out on it.)
    assert.ok(Date.now() - stoppedAt < 5000, `run() ended ${Date.now() - stoppedAt} ms after stop`);
  });

  it('aborts its watch', async () => {
    const stop = new AbortController();
    const subject = informer();
    const running = subject.run(stop.signal);
    await subject.waitForSync();
    // Synced: the list is done and the watch is open (on the list's connection or a second one).
    await sleep(500);
    const open = proxy.openConnections;
    assert.ok(open >= 1);
    const stoppedAt = Date.now();
    stop.abort();
    await running;
    assert.ok(Date.now() - stoppedAt < 5000, `run() ended ${Date.now() - stoppedAt} ms after stop`);
    await eventually('the watch connection closed', () => proxy.openConnections === open - 1, 5000);
  });
});
