// Internal gRPC with identities: a caller without a certificate, or with one from another CA, is
// refused at the TLS handshake; a caller with a good certificate reaches only the methods its
// service is allowed, and a refused call never reaches the handler. The server picks up a rotated
// certificate from its files without a restart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { loadDescriptorSet } from '@shopstack/proto';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { ClientError, createChannel, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import {
  baseConfigSchema,
  ConfigError,
  channelCredentialsOf,
  createGrpcServer,
  createLogger,
  createMetrics,
  type GrpcServer,
  grpcTransportOf,
  mtlsTransport,
  plaintextTransport,
  TLS_FILES,
} from '../src/index.js';
import {
  createCertificateAuthority,
  issueServiceCertificate,
  readCertificate,
} from '../src/pki/certificates.js';
import {
  testCertificateAuthority,
  testGrpcChannel,
  testIdentityDir,
  waitFor,
  writeIdentity,
} from '../src/testing/index.js';

describe('gRPC mutual TLS and callers', function () {
  this.timeout(30_000);
  let server: GrpcServer;
  let address: string;
  let serverDir: string;
  const handled: string[] = [];

  before(async () => {
    // The server's own folder (not the shared test identity): the rotation test rewrites it.
    serverDir = join(await testIdentityDir('orders'), '..', 'users-rotating');
    const ca = await testCertificateAuthority();
    writeIdentity(
      serverDir,
      await issueServiceCertificate(ca, { service: 'users', ipAddresses: ['127.0.0.1'], validityDays: 1 }),
    );
    server = createGrpcServer({
      logger: createLogger({ service: 'mtls-test', level: 'silent' }),
      metrics: createMetrics('mtls-test'),
      descriptorSet: loadDescriptorSet(),
      transport: mtlsTransport(serverDir, 200),
      services: [
        {
          definition: {
            ...UsersServiceDefinition,
            methods: {
              getUser: UsersServiceDefinition.methods.getUser,
              blockUser: UsersServiceDefinition.methods.blockUser,
            },
          },
          implementation: {
            async getUser() {
              handled.push('getUser');
              return { user: undefined };
            },
            async blockUser() {
              handled.push('blockUser');
              return {};
            },
          },
          callers: { getUser: ['notifications', 'backoffice'], blockUser: ['backoffice'] },
        },
      ],
    });
    address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  });
  after(() => server.shutdown());

  const usersClient = async (as: string) =>
    createClient(UsersServiceDefinition, await testGrpcChannel(address, as));
  const codeOf = (error: unknown) => (error instanceof ClientError ? Status[error.code] : String(error));

  it('serves an allowed caller, identified by its certificate', async () => {
    const client = await usersClient('backoffice');
    await client.blockUser(
      { userId: '00000000-0000-4000-8000-000000000001' },
      { signal: AbortSignal.timeout(5_000) },
    );
    await client.getUser({ id: 'x' }, { signal: AbortSignal.timeout(5_000) });
    assert.deepEqual(handled.slice(-2), ['blockUser', 'getUser']);
  });

  it('refuses a caller its table does not list with PERMISSION_DENIED, before the handler runs', async () => {
    const before = handled.length;
    const client = await usersClient('notifications');
    await client.getUser({ id: 'x' }, { signal: AbortSignal.timeout(5_000) }); // allowed
    const refused = await client
      .blockUser({ userId: '00000000-0000-4000-8000-000000000001' }, { signal: AbortSignal.timeout(5_000) })
      .then(() => 'OK', codeOf);
    assert.equal(refused, 'PERMISSION_DENIED');
    assert.deepEqual(handled.slice(before), ['getUser'], 'blockUser never ran');
  });

  it('answers health to any service of the CA', async () => {
    const health = createClient(HealthDefinition, await testGrpcChannel(address, 'catalog'));
    assert.equal((await health.check({ service: '' }, { signal: AbortSignal.timeout(5_000) })).status, 1);
  });

  it('refuses a plaintext caller and a TLS caller without a certificate at the handshake', async () => {
    const before = handled.length;
    const plain = createClient(
      UsersServiceDefinition,
      createChannel(address, channelCredentialsOf(plaintextTransport)),
    );
    assert.equal(
      await plain.getUser({ id: 'x' }, { signal: AbortSignal.timeout(5_000) }).then(() => 'OK', codeOf),
      'UNAVAILABLE',
    );
    const ca = readFileSync(join(serverDir, TLS_FILES.ca));
    const error = await handshake({ ca });
    assert.ok(error, 'the handshake without a client certificate failed');
    assert.equal(handled.length, before);
  });

  it('refuses a certificate from another CA at the handshake', async () => {
    const stranger = await createCertificateAuthority({ commonName: 'Not the shop', validityDays: 1 });
    const dir = await testIdentityDir('orders', { ca: stranger });
    const before = handled.length;
    const client = createClient(UsersServiceDefinition, await channelFromDir(dir));
    assert.equal(
      await client.getUser({ id: 'x' }, { signal: AbortSignal.timeout(5_000) }).then(() => 'OK', codeOf),
      'UNAVAILABLE',
    );
    const error = await handshake({
      ca: readFileSync(join(serverDir, TLS_FILES.ca)),
      cert: readFileSync(join(dir, TLS_FILES.cert)),
      key: readFileSync(join(dir, TLS_FILES.key)),
    });
    assert.ok(error, 'the server refused the stranger at the handshake');
    assert.equal(handled.length, before);
  });

  it('presents a rotated certificate on new connections without a restart', async () => {
    const orders = await testIdentityDir('orders');
    const asOrders = {
      ca: readFileSync(join(orders, TLS_FILES.ca)),
      cert: readFileSync(join(orders, TLS_FILES.cert)),
      key: readFileSync(join(orders, TLS_FILES.key)),
    };
    const first = await peerCertificate(asOrders);
    const renewed = await issueServiceCertificate(await testCertificateAuthority(), {
      service: 'users',
      ipAddresses: ['127.0.0.1'],
      validityDays: 1,
    });
    writeIdentity(serverDir, renewed);
    const expected = readCertificate(renewed.cert);
    const seen = await waitFor(
      async () => {
        const cert = await peerCertificate(asOrders);
        return cert.serialNumber !== first.serialNumber ? cert : undefined;
      },
      { timeoutMs: 10_000, what: 'the server to present its new certificate' },
    );
    assert.equal(new Date(seen.valid_to).getTime(), Math.floor(expected.notAfter.getTime() / 1000) * 1000);
    // And calls over new connections still work.
    const client = await usersClient('backoffice');
    await client.getUser({ id: 'x' }, { signal: AbortSignal.timeout(5_000) });
  });

  it('needs an identity to serve or call gRPC: plaintext only when switched on explicitly', () => {
    assert.throws(
      () => grpcTransportOf({}),
      (error: ConfigError) => error.problems[0]?.variable === 'GRPC_TLS_DIR',
    );
    assert.equal(grpcTransportOf({ GRPC_PLAINTEXT: true }).mode, 'plaintext');
    assert.equal(grpcTransportOf({ GRPC_TLS_DIR: serverDir }).mode, 'mtls');
    assert.throws(() => grpcTransportOf({ GRPC_TLS_DIR: serverDir, GRPC_PLAINTEXT: true }), ConfigError);
    // The default of the kit's config is not plaintext.
    assert.equal(baseConfigSchema.parse({}).GRPC_PLAINTEXT, false);
  });

  async function channelFromDir(dir: string) {
    return createChannel(address, channelCredentialsOf(mtlsTransport(dir, 1_000)));
  }

  /** A raw TLS connection as gRPC makes it (ALPN h2); resolves with the error, if any. */
  function handshake(options: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<Error | undefined> {
    const [host, port] = address.split(':');
    return new Promise((resolve) => {
      const socket = connect({ host, port: Number(port), ALPNProtocols: ['h2'], ...options });
      // TLS 1.3: the server's verdict on the client certificate arrives after the client's handshake.
      socket.once('secureConnect', () => socket.once('data', () => resolve(undefined)));
      socket.once('error', (error) => resolve(error));
      socket.once('close', () => resolve(new Error('closed by the server')));
    });
  }

  function peerCertificate(options: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<PeerCertificate> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(port), ALPNProtocols: ['h2'], ...options }, () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolve(cert);
      });
      socket.once('error', reject);
    });
  }
});
