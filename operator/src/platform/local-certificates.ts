// `npm start`'s identities: a CA per state folder (.infra/pki/ca.*) and a certificate per service in
// .infra/pki/<service>/ (ca.crt, tls.crt, tls.key: a pod's mounted Secret, as files), valid for
// 127.0.0.1 and localhost. Made on first start and issued again when missing, from another CA or
// within the last third of their lifetime, the rule the operator follows (controller/certificates.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServiceCertificate,
  readCertificate,
} from '@shopstack/kit/pki';
import { DEFAULT_CERTIFICATE_POLICY, stillGood } from '../controller/certificates.js';

/** What a local process is dialled by. */
const LOCAL_NAMES = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), content, { mode: name.endsWith('.key') ? 0o600 : 0o644 });
}

/** Makes or renews the local certificates of `services` under `pkiDir`; returns the ones it issued. */
export async function ensureLocalCertificates(pkiDir: string, services: readonly string[], now = new Date()) {
  const policy = DEFAULT_CERTIFICATE_POLICY;
  const issued: string[] = [];
  const caCert = read(join(pkiDir, 'ca.crt'));
  const caKey = read(join(pkiDir, 'ca.key'));
  let ca: CertificateAuthority;
  if (caCert && caKey && readCertificate(caCert).notAfter > now) {
    ca = { cert: caCert, key: caKey };
  } else {
    ca = await createCertificateAuthority({
      commonName: 'ShopStack local services CA',
      validityDays: policy.caLifetimeDays,
      now,
    });
    writeFiles(pkiDir, { 'ca.crt': ca.cert, 'ca.key': ca.key });
    issued.push('ca');
  }
  for (const service of services) {
    const dir = join(pkiDir, service);
    const cert = read(join(dir, 'tls.crt'));
    const good =
      cert &&
      read(join(dir, 'tls.key')) &&
      read(join(dir, 'ca.crt')) === ca.cert &&
      stillGood(cert, ca.cert, LOCAL_NAMES.dnsNames, now, policy);
    if (good) continue;
    const pair = await issueServiceCertificate(ca, {
      service,
      ...LOCAL_NAMES,
      validityDays: policy.lifetimeDays,
      now,
    });
    writeFiles(dir, { 'ca.crt': ca.cert, 'tls.crt': pair.cert, 'tls.key': pair.key });
    issued.push(service);
  }
  return issued;
}
