// The edge listener over TLS with HSTS, checked with curl and the shop's own CA, and CORS: only the
// origins on the allow-list get CORS headers or an answered preflight; with no list, none does.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../support/process.js';
import { type EdgeHarness, startEdge } from './edge-harness.js';

const SHOP_ORIGIN = 'https://shop.example';

/** A CA and a server certificate for localhost and 127.0.0.1, signed by it (openssl, as an operator would). */
async function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = async (...args: string[]) => {
    const result = await run('openssl', args, 30_000, dir);
    assert.equal(result.code, 0, result.stderr);
  };
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=ShopStack test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('edge.key'),
    '-out',
    file('edge.csr'),
  );
  await writeExtensions(file('edge.ext'));
  await openssl(
    'x509',
    '-req',
    '-in',
    file('edge.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('edge.ext'),
    '-out',
    file('edge.pem'),
  );
  return { ca: file('ca.pem'), certificateChainFile: file('edge.pem'), privateKeyFile: file('edge.key') };
}

async function writeExtensions(target: string) {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(target, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
}

interface CurlReply {
  code: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function curl(url: string, args: string[] = []): Promise<CurlReply> {
  const result = await run('curl', ['-sS', '-D', '-', '--max-time', '10', ...args, url], 20_000);
  const [head = '', ...rest] = result.stdout.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const headers = Object.fromEntries(
    lines
      .slice(1)
      .map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
  );
  return {
    code: result.code,
    status: Number(lines[0]?.split(' ')[1] ?? 0),
    headers,
    body: rest.join('\r\n\r\n'),
  };
}

describe('the edge over TLS, and its CORS allow-list', function () {
  this.timeout(120_000);
  let dir: string;
  let ca: string;
  let secure: EdgeHarness;
  let plain: EdgeHarness;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'edge-tls-'));
    const certificates = await makeCertificates(dir);
    ca = certificates.ca;
    secure = await startEdge({
      tls: {
        certificateChainFile: certificates.certificateChainFile,
        privateKeyFile: certificates.privateKeyFile,
      },
      corsAllowedOrigins: [SHOP_ORIGIN],
    });
    plain = await startEdge();
  });

  after(async () => {
    await secure?.close();
    await plain?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers over TLS a client that trusts the shop CA, with HSTS; refuses plain HTTP and unknown CAs', async () => {
    const jwks = await curl(`${secure.edgeUrl}/.well-known/jwks.json`, ['--cacert', ca]);
    assert.equal(jwks.code, 0, jwks.body);
    assert.equal(jwks.status, 200);
    assert.ok(JSON.parse(jwks.body).keys.length > 0);
    assert.equal(jwks.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    // Problems the edge answers itself carry it too.
    const refused = await curl(`${secure.edgeUrl}/api/orders`, ['--cacert', ca]);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');

    const untrusted = await curl(`${secure.edgeUrl}/.well-known/jwks.json`);
    assert.equal(untrusted.code, 60, 'curl: the certificate is not from a CA it trusts');
    const cleartext = await curl(secure.edgeUrl.replace('https://', 'http://'));
    assert.notEqual(cleartext.code, 0, 'plain HTTP on the TLS listener gets no answer');
    assert.equal(cleartext.status, 0);
    // The local platform's plain edge sends no HSTS (there is no TLS to insist on).
    const local = await curl(`${plain.edgeUrl}/.well-known/jwks.json`);
    assert.equal(local.status, 200);
    assert.equal(local.headers['strict-transport-security'], undefined);
  });

  it('answers the preflight of an allowed origin and marks its replies; ignores any other origin', async () => {
    const preflight = (origin: string, edge = secure) =>
      curl(`${edge.edgeUrl}/api/users/me`, [
        '--cacert',
        ca,
        '-X',
        'OPTIONS',
        '-H',
        `origin: ${origin}`,
        '-H',
        'access-control-request-method: GET',
        '-H',
        'access-control-request-headers: authorization',
      ]);
    const allowed = await preflight(SHOP_ORIGIN);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], SHOP_ORIGIN);
    assert.match(allowed.headers['access-control-allow-headers'] ?? '', /authorization/);
    assert.match(allowed.headers['access-control-allow-methods'] ?? '', /PATCH/);
    assert.equal(allowed.headers['access-control-allow-credentials'], undefined, 'bearer tokens, no cookies');

    for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'null']) {
      const other = await preflight(origin);
      assert.equal(other.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(
        other.status,
        401,
        `${origin}: not answered as a preflight, so the token check refuses it`,
      );
    }

    const read = await curl(`${secure.edgeUrl}/.well-known/jwks.json`, [
      '--cacert',
      ca,
      '-H',
      `origin: ${SHOP_ORIGIN}`,
    ]);
    assert.equal(read.headers['access-control-allow-origin'], SHOP_ORIGIN);
    assert.match(read.headers['access-control-expose-headers'] ?? '', /x-trace-id/);
    const foreign = await curl(`${secure.edgeUrl}/.well-known/jwks.json`, [
      '--cacert',
      ca,
      '-H',
      'origin: https://evil.example',
    ]);
    assert.equal(foreign.status, 200);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });

  it('allows no origin at all without an allow-list (the default)', async () => {
    const preflight = await curl(`${plain.edgeUrl}/api/users/me`, [
      '-X',
      'OPTIONS',
      '-H',
      `origin: ${SHOP_ORIGIN}`,
      '-H',
      'access-control-request-method: GET',
    ]);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(preflight.status, 401);
    const read = await curl(`${plain.edgeUrl}/.well-known/jwks.json`, ['-H', `origin: ${SHOP_ORIGIN}`]);
    assert.equal(read.status, 200);
    assert.equal(read.headers['access-control-allow-origin'], undefined);
  });
});
