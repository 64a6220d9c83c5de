import assert from 'node:assert/strict';
import pg from 'pg';
import { infraEnv, uniqueName } from '../support/env.js';

describe('infrastructure: PostgreSQL', () => {
  const database = uniqueName('infra').replaceAll('-', '_');
  const admin = new pg.Client({ connectionString: infraEnv('PG_URL') });
  let client: pg.Client;

  before(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(infraEnv('PG_URL'));
    url.pathname = `/${database}`;
    client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('stores a row and reads it back in a fresh database', async () => {
    await client.query(
      'CREATE TABLE money (id serial PRIMARY KEY, amount_minor bigint NOT NULL, currency char(3) NOT NULL)',
    );
    await client.query('INSERT INTO money (amount_minor, currency) VALUES ($1, $2)', [
      '9007199254740993',
      'EUR',
    ]);
    const { rows } = await client.query('SELECT amount_minor, currency FROM money');
    // bigint arrives as a string, so no precision is lost beyond 2^53.
    assert.deepEqual(rows, [{ amount_minor: '9007199254740993', currency: 'EUR' }]);
  });

  it('rejects a row that breaks a constraint', async () => {
    await assert.rejects(
      client.query('INSERT INTO money (amount_minor) VALUES (1)'),
      /null value in column "currency"/,
    );
  });

  it('listens on loopback only', async () => {
    const { rows } = await client.query("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'");
    assert.equal(rows[0].setting, '127.0.0.1');
  });
});
