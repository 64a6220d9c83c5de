// A test CA, made once per test process, and a certificate per identity on first use: services under
// test get GRPC_TLS_DIR (spawnService adds it by itself), tests call them as the service they stand in
// for (`testGrpcChannel(address, 'orders')`), and grpcurl gets `-cacert -cert -key`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channel, createChannel } from 'nice-grpc';
import { channelCredentialsOf, type GrpcTransport, mtlsTransport, TLS_FILES } from '../grpc/tls.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServiceCertificate,
} from '../pki/certificates.js';

let root: string | undefined;
let authority: Promise<CertificateAuthority> | undefined;
const identities = new Map<string, Promise<string>>();

function testRoot(): string {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), 'shopstack-test-pki-'));
    const made = root;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return root;
}

/** The test run's CA (its private key never leaves this process's temp folder). */
export function testCertificateAuthority(): Promise<CertificateAuthority> {
  authority ??= createCertificateAuthority({ commonName: 'ShopStack test CA', validityDays: 2 });
  return authority;
}

/** Writes ca.crt, tls.crt and tls.key into `dir` (the layout of the operator's Secrets). */
export function writeIdentity(dir: string, files: { ca: string; cert: string; key: string }): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, TLS_FILES.ca), files.ca);
  writeFileSync(join(dir, TLS_FILES.cert), files.cert);
  writeFileSync(join(dir, TLS_FILES.key), files.key, { mode: 0o600 });
}

/**
 * A folder with `service`'s certificate from the test CA, valid for 127.0.0.1 and localhost.
 * `ca` issues it from another CA instead (a stranger's certificate).
 */
export function testIdentityDir(
  service: string,
  options: { ca?: CertificateAuthority } = {},
): Promise<string> {
  const key = options.ca ? `${service}@${options.ca.cert}` : service;
  let dir = identities.get(key);
  if (!dir) {
    dir = (async () => {
      const ca = options.ca ?? (await testCertificateAuthority());
      const issued = await issueServiceCertificate(ca, {
        service,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        validityDays: 1,
      });
      const path = join(testRoot(), `${service}-${identities.size}`);
      writeIdentity(path, issued);
      return path;
    })();
    identities.set(key, dir);
  }
  return dir;
}

/** The identities the test run issues up front (mocha's root hook, pki-hooks.ts), so env builders stay synchronous. */
export const TEST_IDENTITIES = [
  'users',
  'catalog',
  'orders',
  'payments',
  'notifications',
  'backoffice',
  'ratelimit',
  'edge',
] as const;
const prepared = new Map<string, string>();

/** Issues TEST_IDENTITIES' certificates from the test CA (once; mocha's root hook calls it). */
export async function prepareTestIdentities(): Promise<void> {
  for (const service of TEST_IDENTITIES) prepared.set(service, await testIdentityDir(service));
}

/** The environment that gives a service under test its identity (after prepareTestIdentities). */
export function testGrpcEnv(service: (typeof TEST_IDENTITIES)[number]): { GRPC_TLS_DIR: string } {
  const dir = prepared.get(service);
  if (!dir)
    throw new Error(
      'testGrpcEnv: the test identities are not prepared (prepareTestIdentities, run by mocha)',
    );
  return { GRPC_TLS_DIR: dir };
}

/** A transport for the kit's createGrpcClient, as `service`. */
export async function testGrpcTransport(service: string): Promise<GrpcTransport> {
  return mtlsTransport(await testIdentityDir(service), 1_000);
}

/** A nice-grpc channel to `address` that presents `as`'s certificate (tests play that service). */
export async function testGrpcChannel(address: string, as: string): Promise<Channel> {
  return createChannel(address, channelCredentialsOf(await testGrpcTransport(as)));
}

/** grpcurl's flags for calling as `as`: `-cacert ca.crt -cert tls.crt -key tls.key` (after prepareTestIdentities). */
export function grpcurlTlsArgs(as: (typeof TEST_IDENTITIES)[number]): string[] {
  const dir = testGrpcEnv(as).GRPC_TLS_DIR;
  return [
    '-cacert',
    join(dir, TLS_FILES.ca),
    '-cert',
    join(dir, TLS_FILES.cert),
    '-key',
    join(dir, TLS_FILES.key),
  ];
}
