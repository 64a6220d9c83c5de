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
  needsRenewal,
  readCertificate,
} from '@shopstack/kit/pki';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { GRPC_IDENTITIES, type GrpcIdentity } from '../platform/services.js';
import {
  caSecretName,
  type KeyPairPem,
  pemsOf,
  type ShopPki,
  serviceDnsNames,
  serviceTlsSecretName,
} from '../render/index.js';

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

/** `observed(name)`: the Secret of that name in the shop's namespace, from the informer's cache. */
export async function planPki(
  shop: ShopDeployment,
  observed: (name: string) => KubeObject | undefined,
  now: Date,
  policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY,
): Promise<PkiPlan> {
  const issued: string[] = [];
  let ca: CertificateAuthority | undefined = pemsOf(observed(caSecretName(shop)), 'ca.crt', 'ca.key');
  // The CA is made once and kept: replacing it would need a period in which peers trust both the old
  // and the new one (a bundle), which this operator does not do yet; it lives for caLifetimeDays.
  if (!ca || readCertificate(ca.cert).notAfter <= now) {
    ca = await createCertificateAuthority({
      commonName: `ShopStack ${shop.metadata.namespace}/${shop.metadata.name} services CA`,
      validityDays: policy.caLifetimeDays,
      now,
    });
    issued.push('ca');
  }
  const services: Partial<Record<GrpcIdentity, KeyPairPem>> = {};
  for (const service of GRPC_IDENTITIES) {
    const current = pemsOf(observed(serviceTlsSecretName(shop, service)), 'tls.crt', 'tls.key');
    if (current && stillGood(current.cert, ca.cert, serviceDnsNames(shop, service), now, policy)) {
      services[service] = current;
      continue;
    }
    const { cert, key } = await issueServiceCertificate(ca, {
      service,
      dnsNames: serviceDnsNames(shop, service),
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
  try {
    const facts = readCertificate(cert);
    const names = facts.subjectAltName.split(/,\s*/);
    return (
      facts.issuedBy(caCert) &&
      dnsNames.every((name) => names.includes(`DNS:${name}`)) &&
      !needsRenewal(cert, now, policy.renewWhenRemaining)
    );
  } catch {
    return false; // unreadable: issue a new one
  }
}
