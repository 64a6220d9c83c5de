// The catalog as a process, the way Kubernetes runs it: migrations on start, ready on /readyz,
// reachable with grpcurl through server reflection, and a clean exit on SIGTERM.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createPgPool } from '@shopstack/kit';
import {
  grpcurlTlsArgs,
  requireEnv,
  type SpawnedService,
  serviceDir,
  spawnService,
} from '@shopstack/kit/testing';
import { type CatalogTestEnv, createCatalogTestEnv } from '../support/env.js';

const run = promisify(execFile);

describe('catalog process (main.ts)', function () {
  this.timeout(60_000);
  let names: CatalogTestEnv;
  let catalog: SpawnedService;

  before(async () => {
    names = await createCatalogTestEnv('catalog_process');
    catalog = await spawnService(serviceDir('catalog'), names.env);
  });

  after(async () => {
    await catalog?.kill();
    await names?.cleanup();
  });

  it('migrates, serves HTTP and gRPC (reflection for grpcurl), and stops cleanly on SIGTERM', async () => {
    const started = { httpUrl: catalog.httpUrl, grpcAddress: catalog.grpcAddress };
    const ready = await fetch(`${started.httpUrl}/readyz`);
    assert.equal(ready.status, 200);
    const pool = createPgPool(names.db.url, { max: 1 });
    const { rows } = await pool
      .query<{ name: string }>('select name from catalog_migrations')
      .finally(() => pool.end());
    assert.ok(
      rows.some((row) => row.name.endsWith('_catalog')),
      'the catalog migration ran',
    );

    // Without grpcurl this test fails: the gRPC part is what a person checks with it.
    const grpcurl = requireEnv('GRPCURL_BIN');
    const listed = await run(grpcurl, [...grpcurlTlsArgs('backoffice'), started.grpcAddress, 'list']);
    assert.match(listed.stdout, /shop\.catalog\.v1\.CatalogService/);
    assert.match(listed.stdout, /grpc\.health\.v1\.Health/);
    const missing = await run(grpcurl, [
      ...grpcurlTlsArgs('backoffice'),
      '-d',
      JSON.stringify({ ids: [randomUUID()] }),
      started.grpcAddress,
      'shop.catalog.v1.CatalogService/GetProducts',
    ]);
    assert.equal(JSON.parse(missing.stdout).products, undefined, 'unknown ids are left out');

    catalog.child.kill('SIGTERM');
    assert.equal(await catalog.exited, 0);
  });
});
