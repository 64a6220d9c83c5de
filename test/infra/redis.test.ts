import assert from 'node:assert/strict';
import net from 'node:net';
import { infraEnv, uniqueName } from '../support/env.js';

/** Sends one RESP command and returns the raw reply; enough to prove the server is real without a client. */
async function command(url: string, ...args: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString());
    });
    socket.write(request);
  });
}

describe('infrastructure: Redis', () => {
  const url = infraEnv('REDIS_URL');

  it('stores a value with an expiry and reads it back', async () => {
    const key = uniqueName('infra');
    assert.equal(await command(url, 'SET', key, 'tokens:5', 'EX', '60'), '+OK\r\n');
    assert.equal(await command(url, 'GET', key), '$8\r\ntokens:5\r\n');
    assert.match(await command(url, 'TTL', key), /^:(60|59)\r\n$/);
    assert.equal(await command(url, 'DEL', key), ':1\r\n');
  });
});
