// The services' identities: one CA per shop and a certificate per service that names the service
// (SAN URI spiffe://shopstack/<service>) and the addresses it is reached at (SAN DNS / IP). The
// operator issues them as Secrets, `npm start` and the tests make their own with the same functions.
//
// Node's crypto makes keys and reads certificates (X509Certificate) but cannot issue one, so the
// certificates are built with @peculiar/x509 (on Node's WebCrypto); its dependency injection needs the
// reflect-metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Backdated a little, so a clock slightly behind the issuer's still accepts a new certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The trust domain of the services' identities. */
export const IDENTITY_PREFIX = 'spiffe://shopstack/';

export const identityUri = (service: string) => `${IDENTITY_PREFIX}${service}`;

/** PEM certificate and PKCS#8 private key. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends KeyPair {}

export interface ServiceCertificate extends KeyPair {
  /** The CA's certificate, for the peers' trust store (`ca.crt`). */
  ca: string;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemOfPrivateKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

const serialNumber = () => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as RFC 5280 asks
  return bytes.toString('hex');
};

function validity(days: number, now: Date) {
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** A new CA (self-signed, may sign only end-entity certificates). */
export async function createCertificateAuthority(options: {
  commonName?: string;
  validityDays: number;
  now?: Date;
}): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName ?? 'ShopStack services CA'}`,
    ...validity(options.validityDays, options.now ?? new Date()),
    keys: keys as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemOfPrivateKey(keys.privateKey) };
}

export interface ServiceCertificateRequest {
  /** The service's name: its identity is spiffe://shopstack/<service>. */
  service: string;
  /** Names it is reached at (a client checks the address it dialled against these). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  validityDays: number;
  now?: Date;
}

/** A certificate for one service, valid as a server (its gRPC listener) and as a client (its calls). */
export async function issueServiceCertificate(
  ca: CertificateAuthority,
  request: ServiceCertificateRequest,
): Promise<ServiceCertificate> {
  const keys = await generateKeys();
  const issuer = new x509.X509Certificate(ca.cert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${request.service}`,
    issuer: issuer.subject,
    ...validity(request.validityDays, request.now ?? new Date()),
    signingKey: (await importPrivateKey(ca.key)) as never,
    publicKey: keys.publicKey as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: identityUri(request.service) },
        ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer, false),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemOfPrivateKey(keys.privateKey), ca: ca.cert };
}

/** The service a certificate names (its spiffe://shopstack/<service> URI), if any. */
export function serviceOfSubjectAltName(subjectAltName: string | undefined): string | undefined {
  for (const entry of (subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith(`URI:${IDENTITY_PREFIX}`)) return entry.slice(`URI:${IDENTITY_PREFIX}`.length);
  }
  return undefined;
}

export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  service: string | undefined;
  /** As Node prints it: `URI:spiffe://shopstack/orders, DNS:shop-orders, IP Address:127.0.0.1`. */
  subjectAltName: string;
  /** Signed by this CA certificate (PEM)? */
  issuedBy(caCert: string): boolean;
}

export function readCertificate(pem: string): CertificateFacts {
  const cert = new X509Certificate(pem);
  return {
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    service: serviceOfSubjectAltName(cert.subjectAltName),
    subjectAltName: cert.subjectAltName ?? '',
    issuedBy: (caCert) => {
      const ca = new X509Certificate(caCert);
      return cert.checkIssued(ca) && cert.verify(ca.publicKey);
    },
  };
}

/**
 * Time to renew: less than `remaining` (a third, by default) of the certificate's lifetime is left.
 * Renewing that early leaves two thirds of a lifetime for the new files to reach every pod.
 */
export function needsRenewal(pem: string, now: Date, remaining = 1 / 3): boolean {
  const { notBefore, notAfter } = readCertificate(pem);
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return notAfter.getTime() - now.getTime() < lifetime * remaining;
}

/** When needsRenewal turns true. */
export function renewalTime(pem: string, remaining = 1 / 3): Date {
  const { notBefore, notAfter } = readCertificate(pem);
  return new Date(notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) * remaining);
}
