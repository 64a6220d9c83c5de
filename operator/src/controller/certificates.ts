// When the services' certificates are issued: the reconcile keeps what the Secrets hold while it is
// still good (issued by the shop's CA, naming the service's addresses, more than a third of its
// lifetime left) and issues a new one otherwise, so a certificate is replaced long before it expires
// and the kubelet has ample time to bring the new files to every pod, where the services read them
// again without a restart (services/kit/src/grpc/tls.ts). The renderer (render/certificates.ts) turns
// the result into Secrets; the usual apply sends only what changed.
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServiceCertificate,
  readCertificate,
  renewalTime,
} from '@shopstack/kit/pki';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { keyOf } from '../kube/resources.js';
import { GRPC_IDENTITIES, type GrpcIdentity } from '../platform/services.js';
import {
  caSecretName,
  type KeyPairPem,
  pemsOf,
  type ShopPki,
  serviceDnsNames,
  serviceTlsSecretName,
} from '../render/index.js';
import type { CertificateChecks } from './certificate-checks.js';

export interface CertificatePolicy {
  /** A service certificate's lifetime. */
  lifetimeDays: number;
  caLifetimeDays: number;
  /** Renew when less than this share of the lifetime is left. */
  renewWhenRemaining: number;
}

export const DEFAULT_CERTIFICATE_POLICY: CertificatePolicy = {
  lifetimeDays: 90,
  caLifetimeDays: 3650,
  renewWhenRemaining: 1 / 3,
};

export interface PkiPlan {
  pki: ShopPki;
  /** What was issued in this reconcile ('ca', service names), for the shop's events. */
  issued: string[];
}

/**
 * `observed(name)`: the Secret of that name in the shop's namespace, from the informer's cache.
 * `checks` remembers the answers for Secrets whose resourceVersion has not changed (the reconciler's).
 */
export async function planPki(
  shop: ShopDeployment,
  observed: (name: string) => KubeObject | undefined,
  now: Date,
  policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY,
  checks?: CertificateChecks,
): Promise<PkiPlan> {
  const issued: string[] = [];
  const shopKey = keyOf(shop);
  const remembered = (
    secret: KubeObject | undefined,
    versions: (string | undefined)[],
    compute: () => number,
  ) => (checks && secret ? checks.until(shopKey, secret.metadata.name, versions, compute) : compute());
  const caSecret = observed(caSecretName(shop));
  const caVersion = caSecret?.metadata.resourceVersion;
  const found = pemsOf(caSecret, 'ca.crt', 'ca.key');
  // The CA is made once and kept: replacing it would need a period in which peers trust both the old
  // and the new one (a bundle), which this operator does not do yet; it lives for caLifetimeDays.
  const keep =
    found !== undefined &&
    remembered(caSecret, [caVersion], () => readCertificate(found.cert).notAfter.getTime()) > now.getTime();
  const ca: CertificateAuthority = keep
    ? found
    : await createCertificateAuthority({
        commonName: `ShopStack ${shop.metadata.namespace}/${shop.metadata.name} services CA`,
        validityDays: policy.caLifetimeDays,
        now,
      });
  if (!keep) issued.push('ca');
  // What the service certificates were checked against; a new CA has no version yet, so nothing is
  // remembered against it.
  const caVersions = keep ? [caVersion] : [undefined];
  const services: Partial<Record<GrpcIdentity, KeyPairPem>> = {};
  for (const service of GRPC_IDENTITIES) {
    const secret = observed(serviceTlsSecretName(shop, service));
    const pair = pemsOf(secret, 'tls.crt', 'tls.key');
    const dnsNames = serviceDnsNames(shop, service);
    if (
      pair &&
      now.getTime() <=
        remembered(secret, [secret?.metadata.resourceVersion, ...caVersions], () =>
          keptUntil(pair.cert, ca.cert, dnsNames, policy),
        )
    ) {
      services[service] = pair;
      continue;
    }
    const { cert, key } = await issueServiceCertificate(ca, {
      service,
      dnsNames,
      validityDays: policy.lifetimeDays,
      now,
    });
    services[service] = { cert, key };
    issued.push(service);
  }
  return { pki: { ca, services }, issued };
}

/** Issued by `caCert`, naming every one of `dnsNames`, and not yet due for renewal. */
export function stillGood(
  cert: string,
  caCert: string,
  dnsNames: readonly string[],
  now: Date,
  policy: CertificatePolicy,
): boolean {
  return now.getTime() <= keptUntil(cert, caCert, dnsNames, policy);
}

/**
 * Until when the certificate can be kept (ms): its renewal time if `caCert` issued it and it names every
 * one of `dnsNames`, else -Infinity.
 */
function keptUntil(
  cert: string,
  caCert: string,
  dnsNames: readonly string[],
  policy: CertificatePolicy,
): number {
  try {
    const facts = readCertificate(cert);
    const names = facts.subjectAltName.split(/,\s*/);
    if (!facts.issuedBy(caCert) || !dnsNames.every((name) => names.includes(`DNS:${name}`)))
      return Number.NEGATIVE_INFINITY;
    return renewalTime(cert, policy.renewWhenRemaining).getTime();
  } catch {
    return Number.NEGATIVE_INFINITY; // unreadable: issue a new one
  }
}
