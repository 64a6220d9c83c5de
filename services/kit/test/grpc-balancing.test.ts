// The kit's gRPC client spreads calls over every address of its target (round-robin), the way an
// orders pod reaches every payments pod behind a headless Service, and keeps its breaker.
import assert from 'node:assert/strict';
import { loadDescriptorSet } from '@shopstack/proto';
import { HealthDefinition } from 'nice-grpc-server-health';
import { createGrpcClient, createGrpcServer, createLogger, createMetrics } from '../src/index.js';
import { testGrpcTransport } from '../src/testing/index.js';

describe('gRPC client balancing', function () {
  this.timeout(30_000);
  const logger = createLogger({ service: 'test', level: 'error' });
  let servers: { metrics: ReturnType<typeof createMetrics>; grpc: ReturnType<typeof createGrpcServer> }[] =
    [];
  let ports: number[] = [];

  before(async () => {
    const transport = await testGrpcTransport('users');
    servers = [0, 1].map(() => {
      const metrics = createMetrics('balancing');
      return {
        metrics,
        grpc: createGrpcServer({
          logger,
          metrics,
          descriptorSet: loadDescriptorSet(),
          services: [],
          transport,
        }),
      };
    });
    ports = await Promise.all(servers.map((server) => server.grpc.listen('127.0.0.1', 0)));
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.grpc.shutdown()));
  });

  const callsServed = async (index: number) => {
    const metric = await servers[index]!.metrics.grpcServerRequests.get();
    return metric.values.reduce((sum, value) => sum + value.value, 0);
  };

  it('sends calls round-robin to every address, not all to the first', async () => {
    const handle = createGrpcClient(HealthDefinition, {
      address: `ipv4:127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`,
      downstream: 'twins',
      metrics: createMetrics('client'),
      transport: await testGrpcTransport('orders'),
    });
    try {
      for (let i = 0; i < 20; i++) await handle.client.check({ service: '' });
      const served = [await callsServed(0), await callsServed(1)];
      assert.equal(served[0]! + served[1]!, 20);
      assert.ok(
        served.every((n) => n >= 8),
        `both servers take a share: ${served}`,
      );
    } finally {
      handle.close();
    }
  });

  it("reaches a host:port through the kit's refreshing DNS resolver (the pods test shows a new pod found)", async () => {
    // localhost answers 127.0.0.1 (and ::1 where it is configured), each address a pod would be.
    const handle = createGrpcClient(HealthDefinition, {
      address: `localhost:${ports[0]}`,
      downstream: 'named',
      metrics: createMetrics('client'),
      transport: await testGrpcTransport('orders'),
    });
    try {
      const before = await callsServed(0);
      for (let i = 0; i < 5; i++) await handle.client.check({ service: '' });
      assert.equal((await callsServed(0)) - before, 5);
    } finally {
      handle.close();
    }
  });
});
