// The services' identities as the operator keeps them: one CA Secret, a TLS Secret per service with
// the addresses peers dial, mounted read-only where the service reads GRPC_TLS_DIR; certificates kept
// while good and issued again when a third of their lifetime is left or another CA signed them.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueServiceCertificate } from '@shopstack/kit/pki';
import { parse } from 'yaml';
import { SHOP_SERVICES } from '../../src/api/constants.js';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { CertificateChecks } from '../../src/controller/certificate-checks.js';
import { DEFAULT_CERTIFICATE_POLICY, planPki } from '../../src/controller/certificates.js';
import {
  caSecretName,
  GRPC_TLS_MOUNT,
  renderShop,
  type ShopPki,
  serviceTlsSecretName,
} from '../../src/render/index.js';
import { exampleShopObject, shopFrom } from '../support/fixtures.js';

const DAY = 86_400_000;
const decode = (secret: KubeObject | undefined, key: string) =>
  Buffer.from((secret as unknown as { data: Record<string, string> }).data[key]!, 'base64').toString('utf8');

describe('gRPC certificates', () => {
  const shop = shopFrom(exampleShopObject());
  const { namespace, name } = shop.metadata;
  const now = new Date('2026-12-01T00:00:00Z');
  let pki: ShopPki;
  let objects: KubeObject[];
  const byName = (objectName: string) => objects.find((o) => o.metadata.name === objectName);
  /** A lookup over rendered objects, as the reconciler reads the Secret informer's cache. */
  const observedFrom = (list: KubeObject[]) => (secret: string) =>
    list.find((o) => o.kind === 'Secret' && o.metadata.name === secret);

  before(async () => {
    const plan = await planPki(shop, () => undefined, now);
    assert.deepEqual(plan.issued, ['ca', ...SHOP_SERVICES, 'ratelimit', 'edge']);
    pki = plan.pki;
    objects = renderShop(shop, { dashboards: {}, pki });
  });

  it('renders the CA into its own Secret, which no pod mounts', () => {
    const ca = byName(caSecretName(shop));
    assert.equal(ca?.kind, 'Secret');
    assert.deepEqual(Object.keys((ca as unknown as { data: object }).data).sort(), ['ca.crt', 'ca.key']);
    assert.equal(ca?.metadata.ownerReferences?.[0]?.kind, 'ShopDeployment');
    const mounted = objects
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => JSON.stringify((d.spec as { template: unknown }).template));
    assert.ok(!mounted.some((spec) => spec.includes(caSecretName(shop))), 'no pod mounts the CA key');
  });

  it("renders each service's certificate as a TLS Secret naming the service and its addresses", () => {
    for (const service of SHOP_SERVICES) {
      const secret = byName(serviceTlsSecretName(shop, service));
      assert.equal((secret as unknown as { type: string }).type, 'kubernetes.io/tls', service);
      assert.deepEqual(Object.keys((secret as unknown as { data: object }).data).sort(), [
        'ca.crt',
        'tls.crt',
        'tls.key',
      ]);
      const cert = new X509Certificate(decode(secret, 'tls.crt'));
      const host = `${name}-${service}`;
      assert.equal(
        cert.subjectAltName,
        `URI:spiffe://shopstack/${service}, DNS:${host}, DNS:${host}.${namespace}, DNS:${host}.${namespace}.svc, DNS:${host}.${namespace}.svc.cluster.local`,
      );
      assert.ok(cert.verify(new X509Certificate(decode(secret, 'ca.crt')).publicKey), 'signed by the CA');
      assert.equal(decode(secret, 'ca.crt'), pki.ca.cert);
      assert.equal(
        new Date(cert.validTo).getTime() - now.getTime(),
        DEFAULT_CERTIFICATE_POLICY.lifetimeDays * DAY,
      );
    }
  });

  it('mounts the Secret read-only where GRPC_TLS_DIR points, readable by the service user alone', () => {
    for (const service of SHOP_SERVICES) {
      const deployment = byName(`${name}-${service}`) as unknown as {
        spec: { template: { spec: unknown } };
      };
      const pod = deployment.spec.template.spec as {
        securityContext: { fsGroup: number; runAsUser: number };
        volumes: { name: string; secret: { secretName: string; defaultMode: number } }[];
        containers: { env: { name: string; value?: string }[]; volumeMounts: object[] }[];
      };
      const volume = pod.volumes.find((v) => v.secret?.secretName === serviceTlsSecretName(shop, service));
      assert.ok(volume, `${service} mounts its own certificate`);
      assert.equal(volume.secret.defaultMode, 0o440);
      assert.equal(pod.securityContext.fsGroup, 65532);
      const [container] = pod.containers;
      assert.deepEqual(container?.volumeMounts, [
        { name: volume.name, mountPath: GRPC_TLS_MOUNT, readOnly: true },
      ]);
      assert.equal(container?.env.find((e) => e.name === 'GRPC_TLS_DIR')?.value, GRPC_TLS_MOUNT);
      assert.ok(!container?.env.some((e) => e.name === 'GRPC_PLAINTEXT'), `${service} is never plaintext`);
    }
  });

  it('gives the edge its own certificate for the rate limit service, and rolls it when renewed', async () => {
    const edge = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === `${name}-edge`,
    ) as unknown as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: { volumes: { secret?: { secretName: string } }[] };
        };
      };
    };
    assert.ok(
      edge.spec.template.spec.volumes.some(
        (v) => v.secret?.secretName === serviceTlsSecretName(shop, 'edge'),
      ),
    );
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-edge`);
    const envoy = parse((configMap as unknown as { data: Record<string, string> }).data['envoy.yaml']!) as {
      static_resources: {
        clusters: { name: string; transport_socket?: { typed_config: Record<string, unknown> } }[];
      };
    };
    const cluster = envoy.static_resources.clusters.find((c) => c.name === 'ratelimit');
    const tls = JSON.stringify(cluster?.transport_socket?.typed_config);
    assert.match(tls, /UpstreamTlsContext/);
    assert.match(tls, new RegExp(`${GRPC_TLS_MOUNT}/tls.crt`));
    assert.match(tls, /"exact":"spiffe:\/\/shopstack\/ratelimit"/);
    const ratelimit = byName(`${name}-ratelimit`) as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = ratelimit.spec.template.spec.containers[0]!.env;
    assert.equal(env.find((e) => e.name === 'GRPC_TLS_DIR')?.value, GRPC_TLS_MOUNT);
    assert.ok(!env.some((e) => e.name === 'GRPC_PLAINTEXT'));
    // A renewed edge certificate changes the pod template (Envoy reads the files at start only).
    const hash = edge.spec.template.metadata.annotations['shopstack.io/grpc-certificate'];
    const renewed = await planPki(shop, observedFrom(objects), new Date(now.getTime() + 61 * DAY));
    const again = renderShop(shop, { dashboards: {}, pki: renewed.pki }).find(
      (o) => o.metadata.name === `${name}-edge` && o.kind === 'Deployment',
    ) as unknown as typeof edge;
    assert.ok(hash);
    assert.notEqual(again.spec.template.metadata.annotations['shopstack.io/grpc-certificate'], hash);
  });

  it('keeps good certificates, so a reconcile of an up-to-date shop issues nothing', async () => {
    const again = await planPki(shop, observedFrom(objects), new Date(now.getTime() + 30 * DAY));
    assert.deepEqual(again.issued, []);
    assert.deepEqual(again.pki, pki);
  });

  it('renews each certificate once less than a third of its lifetime is left, keeping the CA', async () => {
    const late = new Date(now.getTime() + 61 * DAY);
    const renewed = await planPki(shop, observedFrom(objects), late);
    assert.deepEqual(renewed.issued, [...SHOP_SERVICES, 'ratelimit', 'edge']);
    assert.equal(renewed.pki.ca.cert, pki.ca.cert);
    const orders = new X509Certificate(renewed.pki.services.orders!.cert);
    assert.equal(
      new Date(orders.validTo).getTime() - late.getTime(),
      DEFAULT_CERTIFICATE_POLICY.lifetimeDays * DAY,
    );
  });

  it('replaces a certificate another CA signed or one without the addresses peers dial', async () => {
    const stranger = await createCertificateAuthority({ validityDays: 10, now });
    const foreign = await issueServiceCertificate(stranger, { service: 'payments', validityDays: 90, now });
    const unnamed = await issueServiceCertificate(pki.ca, { service: 'orders', validityDays: 90, now });
    const tampered = objects.map((o) => {
      if (o.metadata.name === serviceTlsSecretName(shop, 'payments')) return secretWith(o, foreign);
      if (o.metadata.name === serviceTlsSecretName(shop, 'orders')) return secretWith(o, unnamed);
      return o;
    });
    const fixed = await planPki(shop, observedFrom(tampered), now);
    assert.deepEqual(fixed.issued.sort(), ['orders', 'payments']);
    assert.ok(
      new X509Certificate(fixed.pki.services.payments!.cert).checkIssued(new X509Certificate(pki.ca.cert)),
    );
  });
  it('checks a Secret once per resourceVersion, and still renews on time', async () => {
    const checks = new CertificateChecks();
    const versioned = (list: KubeObject[], version: string) =>
      list.map((o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: version } }) as KubeObject);
    const policy = DEFAULT_CERTIFICATE_POLICY;
    const first = await planPki(shop, observedFrom(versioned(objects, '1')), now, policy, checks);
    assert.deepEqual(first.issued, []);
    // Same versions: the remembered answer stands, so a certificate another CA signed goes unnoticed...
    const stranger = await createCertificateAuthority({ validityDays: 10, now });
    const foreign = await issueServiceCertificate(stranger, { service: 'payments', validityDays: 90, now });
    const swapped = objects.map((o) =>
      o.metadata.name === serviceTlsSecretName(shop, 'payments') ? secretWith(o, foreign) : o,
    );
    const same = await planPki(shop, observedFrom(versioned(swapped, '1')), now, policy, checks);
    assert.deepEqual(same.issued, []);
    // ...which cannot happen in the cache, where new content has a new version: then it is checked again.
    const changed = await planPki(shop, observedFrom(versioned(swapped, '2')), now, policy, checks);
    assert.deepEqual(changed.issued, ['payments']);
    // The remembered renewal time is compared with the clock on every call.
    const late = await planPki(
      shop,
      observedFrom(versioned(objects, '1')),
      new Date(now.getTime() + 61 * DAY),
      policy,
      checks,
    );
    assert.deepEqual(late.issued, [...SHOP_SERVICES, 'ratelimit', 'edge']);
  });
});

function secretWith(secret: KubeObject, pair: { cert: string; key: string }): KubeObject {
  const data = (secret as unknown as { data: Record<string, string> }).data;
  return {
    ...secret,
    data: {
      ...data,
      'tls.crt': Buffer.from(pair.cert).toString('base64'),
      'tls.key': Buffer.from(pair.key).toString('base64'),
    },
  } as KubeObject;
}
