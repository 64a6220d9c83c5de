// The services' identities as Kubernetes objects: the shop's CA in one Secret, and per service a
// `kubernetes.io/tls` Secret (tls.crt, tls.key and the CA's ca.crt) mounted where the service reads
// GRPC_TLS_DIR. Pure: the PEMs come in (controller/certificates.ts decides when to issue them).
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import type { GrpcIdentity } from '../platform/services.js';
import { contentHash } from './hash.js';
import { childMeta, childName } from './meta.js';

/** Where a service's pod mounts its identity (the env contract's GRPC_TLS_DIR). */
export const GRPC_TLS_MOUNT = '/var/run/shopstack/grpc-tls';
const VOLUME = 'grpc-tls';

export interface KeyPairPem {
  cert: string;
  key: string;
}

/** The shop's CA and each service's certificate, as PEM. */
export interface ShopPki {
  ca: KeyPairPem;
  services: Partial<Record<GrpcIdentity, KeyPairPem>>;
}

export const caSecretName = (shop: ShopDeployment) => childName(shop, 'grpc-ca');
export const serviceTlsSecretName = (shop: ShopDeployment, service: GrpcIdentity) =>
  childName(shop, `${service}-grpc-tls`);

/** The names a peer dials a service by (its headless Service), which its certificate must carry. */
export function serviceDnsNames(shop: ShopDeployment, service: GrpcIdentity): string[] {
  const name = childName(shop, service);
  const { namespace } = shop.metadata;
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

export function renderCertificateSecrets(shop: ShopDeployment, pki: ShopPki | undefined): KubeObject[] {
  if (!pki) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: childMeta(shop, 'pki', caSecretName(shop)),
      type: 'Opaque',
      // The CA's key never leaves this Secret: no pod mounts it, only the operator reads it.
      data: { 'ca.crt': base64(pki.ca.cert), 'ca.key': base64(pki.ca.key) },
    },
    ...Object.entries(pki.services).flatMap(([service, pair]) =>
      pair
        ? [
            {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: childMeta(
                shop,
                service as GrpcIdentity,
                serviceTlsSecretName(shop, service as GrpcIdentity),
              ),
              type: 'kubernetes.io/tls',
              data: {
                'tls.crt': base64(pair.cert),
                'tls.key': base64(pair.key),
                'ca.crt': base64(pki.ca.cert),
              },
            },
          ]
        : [],
    ),
  ];
}

/** The Secret as a read-only volume: the kubelet swaps its files atomically when the Secret changes. */
export function grpcTlsVolume(shop: ShopDeployment, service: GrpcIdentity) {
  return {
    name: VOLUME,
    secret: { secretName: serviceTlsSecretName(shop, service), defaultMode: 0o440 },
  };
}

export const grpcTlsVolumeMount = { name: VOLUME, mountPath: GRPC_TLS_MOUNT, readOnly: true };

/** A hash of an identity's certificate, for a pod annotation where the process reads it only at start (Envoy). */
export function certificateVersion(pki: ShopPki | undefined, identity: GrpcIdentity): string | undefined {
  const pair = pki?.services[identity];
  return pair && contentHash(pair.cert);
}

/** The PEMs a Secret the operator applied holds (from the informer's cache), if any. */
export function pemsOf(
  secret: KubeObject | undefined,
  certKey: string,
  keyKey: string,
): KeyPairPem | undefined {
  const data = (secret as { data?: Record<string, string> } | undefined)?.data;
  const cert = data?.[certKey];
  const key = data?.[keyKey];
  if (!cert || !key) return undefined;
  return {
    cert: Buffer.from(cert, 'base64').toString('utf8'),
    key: Buffer.from(key, 'base64').toString('utf8'),
  };
}
