// The local platform (`npm start`) and the pods the operator renders get their environment from one
// contract, so the process people run locally is configured like the pod nobody can skip testing.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHOP_SERVICES } from '../../src/api/constants.js';
import { localPkiDir, localServiceEnv } from '../../src/platform/local.js';
import { ensureLocalCertificates } from '../../src/platform/local-certificates.js';
import { PLATFORM_SERVICES } from '../../src/platform/services.js';
import { serviceEnv } from '../../src/render/index.js';
import { exampleShopObject, shopFrom } from '../support/fixtures.js';

describe('the platform services table and environment contract', () => {
  const shop = shopFrom(exampleShopObject());
  const state = mkdtempSync(join(tmpdir(), 'platform-env-'));
  const local = {
    INFRA_STATE: state,
    PG_PORT: '5432',
    AMQP_PORT: '5672',
    MONGO_PORT: '27017',
    OTLP_HTTP_PORT: '4318',
  };
  const LOCAL_ONLY = [
    'MONGO_DB',
    'LOG_LEVEL',
    'SMTP_REQUIRE_TLS',
    'SANDBOX_PROVIDERS',
    'WEBHOOK_ALLOWED_CIDRS',
    'WEBHOOK_ALLOW_PLAIN_HTTP',
    'PUBLIC_URL',
  ];

  it('gives a local process exactly the variables its pod gets, with local values instead of Secrets', () => {
    for (const service of SHOP_SERVICES) {
      const pod = serviceEnv(shop, service).map((v) => v.name);
      const env = localServiceEnv(service, local);
      assert.deepEqual(
        env.map((v) => v.name).filter((name) => !LOCAL_ONLY.includes(name)),
        pod,
        service,
      );
      for (const variable of env) assert.ok('value' in variable, `${service} ${variable.name} is literal`);
    }
  });

  it("points peers and the store at this machine's ports from the table", () => {
    const orders = Object.fromEntries(
      localServiceEnv('orders', local).map((v) => [v.name, 'value' in v ? v.value : '']),
    );
    assert.equal(orders.HTTP_PORT, String(PLATFORM_SERVICES.orders.local.httpPort));
    assert.equal(orders.CATALOG_GRPC_ADDRESS, `127.0.0.1:${PLATFORM_SERVICES.catalog.local.grpcPort}`);
    assert.equal(orders.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/shopstack_orders');
    assert.equal(orders.HOST, '127.0.0.1');
  });

  it('runs the local payments as a sandbox that says so, called back through the local edge', () => {
    const payments = Object.fromEntries(
      localServiceEnv('payments', { ...local, EDGE_PORT: '8080' }).map((v) => [
        v.name,
        'value' in v ? v.value : '',
      ]),
    );
    assert.equal(payments.PAYMENT_PROVIDER, 'sandbox');
    assert.equal(payments.SANDBOX_WEBHOOK_URL, 'http://127.0.0.1:8080/api/payments/webhooks/sandbox');
    assert.match(payments.SANDBOX_WEBHOOK_SECRET ?? '', /^[0-9a-f]{64}$/);
  });

  it('makes the local-only secrets once and keeps them in the state folder, not in the table', () => {
    const first = localServiceEnv('users', local).find((v) => v.name === 'SIGNING_KEY_ENCRYPTION_KEY');
    const again = localServiceEnv('users', local).find((v) => v.name === 'SIGNING_KEY_ENCRYPTION_KEY');
    assert.ok(first && 'value' in first && /^[0-9a-f]{64}$/.test(first.value));
    assert.deepEqual(again, first);
    assert.equal(readFileSync(join(state, 'secrets/signing-key-encryption'), 'utf8').trim(), first.value);
  });

  it("makes npm start's gRPC certificates once, where GRPC_TLS_DIR points, and renews them when due", async () => {
    const pki = localPkiDir(local);
    assert.deepEqual(await ensureLocalCertificates(pki, SHOP_SERVICES), ['ca', ...SHOP_SERVICES]);
    assert.deepEqual(await ensureLocalCertificates(pki, SHOP_SERVICES), [], 'kept while good');
    for (const service of SHOP_SERVICES) {
      const dir = localServiceEnv(service, local).find((v) => v.name === 'GRPC_TLS_DIR');
      assert.ok(dir && 'value' in dir);
      const cert = new X509Certificate(readFileSync(join(dir.value, 'tls.crt')));
      assert.equal(
        cert.subjectAltName,
        `URI:spiffe://shopstack/${service}, DNS:localhost, IP Address:127.0.0.1`,
      );
      assert.ok(cert.verify(new X509Certificate(readFileSync(join(dir.value, 'ca.crt'))).publicKey));
    }
    const late = new Date(Date.now() + 61 * 86_400_000);
    assert.deepEqual(await ensureLocalCertificates(pki, SHOP_SERVICES, late), [...SHOP_SERVICES]);
  });

  it('gives every service its own local ports', () => {
    const ports = SHOP_SERVICES.flatMap((s) => [
      PLATFORM_SERVICES[s].local.httpPort,
      PLATFORM_SERVICES[s].local.grpcPort,
    ]);
    assert.equal(new Set(ports).size, ports.length);
  });
});
