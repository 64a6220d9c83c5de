// gRPC: grpcurl against the running service (reflection, health, real calls), and the kit's
// client — deadlines, retries only for idempotent methods, the breaker per downstream.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createGrpcClient, createGrpcServer, createLogger, createMetrics } from '@shopstack/kit';
import { grpcurlTlsArgs, requireEnv, testGrpcTransport, waitFor } from '@shopstack/kit/testing';
import { loadDescriptorSet } from '@shopstack/proto';
import { Role, UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { type ClientError, ServerError, Status } from 'nice-grpc';
import { type Harness, startHarness } from './support/harness.js';

const run = promisify(execFile);
/** The lookups alone: what the stand-in servers below implement. */
const lookupsDefinition = {
  ...UsersServiceDefinition,
  methods: {
    getUser: UsersServiceDefinition.methods.getUser,
    getUsersByIds: UsersServiceDefinition.methods.getUsersByIds,
  },
} as const;
const callers = { getUser: ['notifications'], getUsersByIds: ['notifications'] };
// As the back office calls users (its certificate from the test CA); notifications may call the lookups too.
const grpcurl = (...args: string[]) =>
  run(requireEnv('GRPCURL_BIN'), [...grpcurlTlsArgs('backoffice'), ...args], { timeout: 20_000 });

describe('users: gRPC', () => {
  let h: Harness;
  let user: { id: string; email: string };
  before(async () => {
    h = await startHarness();
    user = await h.register();
  });
  after(() => h?.close());

  describe('with grpcurl', () => {
    it('lists the services through reflection', async () => {
      const { stdout } = await grpcurl(h.service.grpcAddress!, 'list');
      const services = stdout.trim().split('\n');
      assert.ok(services.includes('shop.users.v1.UsersService'), stdout);
      assert.ok(services.includes('grpc.health.v1.Health'), stdout);
      const { stdout: described } = await grpcurl(
        h.service.grpcAddress!,
        'describe',
        'shop.users.v1.UsersService',
      );
      assert.match(described, /rpc GetUsersByIds/);
    });

    it('calls GetUser and GetUsersByIds', async () => {
      const { stdout } = await grpcurl(
        '-d',
        JSON.stringify({ id: user.id }),
        h.service.grpcAddress!,
        'shop.users.v1.UsersService/GetUser',
      );
      const answer = JSON.parse(stdout);
      assert.equal(answer.user.id, user.id);
      assert.equal(answer.user.email, user.email);
      assert.equal(answer.user.role, 'ROLE_CUSTOMER');

      const other = await h.register();
      const { stdout: many } = await grpcurl(
        '-d',
        JSON.stringify({ ids: [user.id, other.id, '00000000-0000-4000-8000-000000000000'] }),
        h.service.grpcAddress!,
        'shop.users.v1.UsersService/GetUsersByIds',
      );
      assert.deepEqual(
        JSON.parse(many)
          .users.map((u: { id: string }) => u.id)
          .sort(),
        [user.id, other.id].sort(),
      );
    });

    it('maps errors to status codes and answers health checks', async () => {
      const missing = await grpcurl(
        '-d',
        '{"id":"00000000-0000-4000-8000-000000000000"}',
        h.service.grpcAddress!,
        'shop.users.v1.UsersService/GetUser',
      ).catch((error) => error);
      assert.match(String(missing.stderr), /Code: NotFound/);
      const invalid = await grpcurl(
        '-d',
        '{"id":"nope"}',
        h.service.grpcAddress!,
        'shop.users.v1.UsersService/GetUser',
      ).catch((error) => error);
      assert.match(String(invalid.stderr), /Code: InvalidArgument/);
      const { stdout } = await grpcurl(h.service.grpcAddress!, 'grpc.health.v1.Health/Check');
      assert.equal(JSON.parse(stdout).status, 'SERVING');
    });
  });

  describe('with the kit client', () => {
    it('reads users and exports client and server metrics', async () => {
      const metrics = createMetrics('users-client-test');
      const { client, close } = createGrpcClient(UsersServiceDefinition, {
        address: h.service.grpcAddress!,
        downstream: 'users',
        transport: await testGrpcTransport('notifications'),
        metrics,
      });
      const { user: found } = await client.getUser({ id: user.id });
      assert.equal(found?.email, user.email);
      assert.equal(found?.role, Role.ROLE_CUSTOMER);
      await assert.rejects(
        client.getUser({ id: '00000000-0000-4000-8000-000000000000' }),
        (error: ClientError) => {
          return error.code === Status.NOT_FOUND;
        },
      );
      close();
      const clientMetrics = await metrics.registry.metrics();
      assert.match(
        clientMetrics,
        /grpc_client_requests_total\{downstream="users",method="\/shop.users.v1.UsersService\/GetUser",code="OK"/,
      );
      assert.match(clientMetrics, /circuit_breaker_state\{downstream="users"[^}]*\} 0/);
      const serverMetrics = await (await fetch(h.url('/metrics'))).text();
      assert.match(
        serverMetrics,
        /grpc_server_requests_total\{method="\/shop.users.v1.UsersService\/GetUser",code="NOT_FOUND"/,
      );
    });

    it('retries idempotent calls only, and opens the breaker when the downstream keeps failing', async () => {
      // A stand-in downstream that is always unavailable, counting the calls it receives. The same
      // contract served twice: as declared (read-only, retryable) and with the idempotency removed.
      const calls = { idempotent: 0, plain: 0 };
      const failing = (counter: keyof typeof calls) => ({
        async getUser() {
          calls[counter]++;
          throw new ServerError(Status.UNAVAILABLE, 'down for maintenance');
        },
        async getUsersByIds() {
          throw new ServerError(Status.UNAVAILABLE, 'down for maintenance');
        },
      });
      const plainDefinition = {
        ...UsersServiceDefinition,
        methods: {
          getUser: { ...UsersServiceDefinition.methods.getUser, options: {} },
          getUsersByIds: { ...UsersServiceDefinition.methods.getUsersByIds, options: {} },
        },
      } as const;
      const logger = createLogger({ service: 'stand-in', level: 'silent' });
      const serverMetrics = createMetrics('stand-in');
      const idempotentServer = createGrpcServer({
        logger,
        metrics: serverMetrics,
        descriptorSet: loadDescriptorSet(),
        transport: await testGrpcTransport('users'),
        services: [{ definition: lookupsDefinition, implementation: failing('idempotent'), callers }],
      });
      const plainServer = createGrpcServer({
        logger,
        metrics: createMetrics('stand-in-2'),
        descriptorSet: loadDescriptorSet(),
        transport: await testGrpcTransport('users'),
        services: [{ definition: plainDefinition, implementation: failing('plain'), callers }],
      });
      const idempotentPort = await idempotentServer.listen('127.0.0.1', 0);
      const plainPort = await plainServer.listen('127.0.0.1', 0);
      const metrics = createMetrics('breaker-test');
      const options = {
        metrics,
        maxAttempts: 3,
        retryBaseDelayMs: 1,
        breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 },
      };
      const idempotent = createGrpcClient(UsersServiceDefinition, {
        ...options,
        address: `127.0.0.1:${idempotentPort}`,
        downstream: 'flaky-idempotent',
        transport: await testGrpcTransport('notifications'),
      });
      const plain = createGrpcClient(plainDefinition, {
        ...options,
        address: `127.0.0.1:${plainPort}`,
        downstream: 'flaky-plain',
        transport: await testGrpcTransport('notifications'),
      });
      try {
        await assert.rejects(
          idempotent.client.getUser({ id: user.id }),
          (e: ClientError) => e.code === Status.UNAVAILABLE,
        );
        assert.equal(calls.idempotent, 3, 'three attempts for a read-only call');
        await assert.rejects(
          plain.client.getUser({ id: user.id }),
          (e: ClientError) => e.code === Status.UNAVAILABLE,
        );
        assert.equal(calls.plain, 1, 'no retry for a call not marked idempotent');

        for (let i = 0; i < 3; i++) await assert.rejects(idempotent.client.getUser({ id: user.id }));
        await waitFor(() => idempotent.breaker.opened, { what: 'breaker open' });
        const before = calls.idempotent;
        await assert.rejects(
          idempotent.client.getUser({ id: user.id }),
          (e: ClientError) => e.code === Status.UNAVAILABLE,
        );
        assert.equal(calls.idempotent, before, 'an open breaker fails fast without calling');
        assert.match(
          await metrics.registry.metrics(),
          /circuit_breaker_state\{downstream="flaky-idempotent"[^}]*\} 2/,
        );
      } finally {
        idempotent.close();
        plain.close();
        idempotent.breaker.shutdown();
        plain.breaker.shutdown();
        await idempotentServer.shutdown();
        await plainServer.shutdown();
      }
    });

    it('gives every call a deadline', async () => {
      const slowServer = createGrpcServer({
        logger: createLogger({ service: 'slow', level: 'silent' }),
        metrics: createMetrics('slow'),
        descriptorSet: loadDescriptorSet(),
        transport: await testGrpcTransport('users'),
        services: [
          {
            definition: lookupsDefinition,
            implementation: {
              getUser: (_request: unknown, context: { signal: AbortSignal }) =>
                new Promise((_, reject) =>
                  context.signal.addEventListener('abort', () => reject(new Error('aborted'))),
                ),
              getUsersByIds: async () => ({ users: [] }),
            },
            callers,
          },
        ],
      });
      const port = await slowServer.listen('127.0.0.1', 0);
      const { client, close, breaker } = createGrpcClient(UsersServiceDefinition, {
        address: `127.0.0.1:${port}`,
        downstream: 'slow',
        transport: await testGrpcTransport('notifications'),
        metrics: createMetrics('deadline-test'),
        deadlineMs: 200,
        maxAttempts: 1,
      });
      try {
        await assert.rejects(
          client.getUser({ id: user.id }),
          (e: ClientError) => e.code === Status.DEADLINE_EXCEEDED,
        );
      } finally {
        close();
        breaker.shutdown();
        await slowServer.shutdown();
      }
    });
  });
});
