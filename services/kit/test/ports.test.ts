// freePort hands out ports a server can bind and that no outgoing connection will take meanwhile:
// below the kernel's ephemeral range, where connections get their local ports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../src/testing/ports.js';

describe('kit testing: freePort', () => {
  it('gives distinct listenable ports below the ephemeral range', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports)
      assert.ok(port >= 12_000 && port < low, `port ${port} outside 12000..${low - 1}`);
    assert.ok(new Set(ports).size >= 18, `mostly distinct: ${ports.join(', ')}`);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
