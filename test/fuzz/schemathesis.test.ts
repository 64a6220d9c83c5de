// Property-based fuzzing of every service's OpenAPI document with Schemathesis, signed in as an
// admin, against each service directly and through the real Envoy edge. Any finding of the checks
// below fails the suite, with Schemathesis' own report (and a curl line to reproduce it).
// The number of examples per operation is bounded so the whole suite stays within the CI budget;
// every run draws a new seed, printed in the report, so a finding can be replayed with --seed.
import assert from 'node:assert/strict';
import os from 'node:os';
import { type Platform, platform } from '../e2e/platform.js';
import { infraEnv } from '../support/env.js';
import { run } from '../support/process.js';

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
];
const SERVICES = ['users', 'catalog', 'orders', 'payments', 'notifications'] as const;

interface Target {
  service: (typeof SERVICES)[number];
  via: 'direct' | 'edge';
  baseUrl: string;
}

async function fuzz(schemaUrl: string, target: Target, token: string, examples: number) {
  const started = Date.now();
  const result = await run(
    infraEnv('SCHEMATHESIS_BIN'),
    [
      'run',
      schemaUrl,
      '--url',
      target.baseUrl,
      '--checks',
      CHECKS.join(','),
      '--phases',
      'fuzzing',
      '--max-examples',
      String(examples),
      '--header',
      `Authorization: Bearer ${token}`,
      '--no-shrink',
      '--output-truncate',
      'false',
    ],
    // Generous: on a busy machine loading the document alone can take seconds.
    420_000,
    // Schemathesis keeps a cache folder where it runs: not in the clone.
    os.tmpdir(),
  );
  const output = result.stdout + result.stderr;
  const report = output.slice(output.indexOf('FAILURES') >= 0 ? output.indexOf('FAILURES') - 40 : -3000);
  assert.equal(
    result.code,
    0,
    `schemathesis found problems in ${target.service} (${target.via}):\n${report}`,
  );
  const passed = /(\d+) generated, (\d+) passed/.exec(output);
  assert.ok(passed && Number(passed[1]) > 0 && passed[1] === passed[2], `no test case ran:\n${report}`);
  console.log(`      ${target.service} ${target.via}: ${passed[1]} cases in ${Date.now() - started} ms`);
}

describe('schemathesis: every OpenAPI document fuzzed, directly and through the edge', function () {
  this.timeout(900_000);
  let shop: Platform;
  let token: string;

  before(async () => {
    shop = await platform();
    const login = await fetch(`${shop.edgeUrl}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(shop.admin),
    });
    assert.equal(login.status, 200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
  });

  after(() => shop?.stop());

  // One service at a time: fuzzing two at once on a small machine starves the calls between them
  // (orders → catalog) past their deadlines, and the 503 that follows is a finding.
  for (const service of SERVICES) {
    it(`finds nothing in ${service}, directly and through the edge`, async function () {
      const services = shop.services;
      if (!services) this.skip(); // EDGE_URL names a remote platform: the services' own ports are unknown
      const schemaUrl = `${services[service]}/openapi.json`;
      await fuzz(schemaUrl, { service, via: 'direct', baseUrl: services[service] }, token, 5);
      await fuzz(schemaUrl, { service, via: 'edge', baseUrl: shop.edgeUrl }, token, 3);
    });
  }
});
