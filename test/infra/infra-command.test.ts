import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../support/process.js';

const infra = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/infra.sh');

describe('infrastructure: the infra command', () => {
  it('reports what runs, on which port and from which version', async () => {
    const status = await run('bash', [infra, 'status']);
    assert.equal(status.code, 0, status.stderr);
    const rows = Object.fromEntries(
      status.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [name, state, port, version] = line.split(/\s+/);
          return [name, { state, port, version }];
        }),
    );
    assert.deepEqual(rows.postgres?.state, 'running');
    assert.match(rows.postgres?.version ?? '', /^\d+\.\d+/);
    assert.deepEqual(rows['kube-apiserver']?.state, 'running');
    assert.deepEqual(rows.envoy?.state, 'installed');
  });

  it('refuses a taken port, naming the component and the port, and starts nothing', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    const state = await mkdtemp(path.join(os.tmpdir(), 'infra-state-'));
    try {
      const result = await run('bash', [
        '-c',
        `REDIS_PORT=${port} SHOPSTACK_STATE=${state} bash ${infra} up redis`,
      ]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`ERROR \\(redis\\): redis: port ${port} is already taken`));
      const pids = await run('bash', ['-c', `ls ${state}/run`]);
      assert.equal(pids.stdout.trim(), '', 'a pid file was left behind');
    } finally {
      squatter.close();
      await rm(state, { recursive: true, force: true });
    }
  });

  it('runs a build once when the background lane and the foreground ask for it at the same time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'infra-build-'));
    const lib = path.join(path.dirname(infra), 'infra/lib.sh');
    // Two shells ask for one slow build; the second must wait for the first and then find it done.
    const script = `
      source ${lib}
      build_slow() { echo run >>"${dir}/runs"; sleep 2; echo built >"$1/out"; }
      cached_build slow 1 "${dir}/slow-1" build_slow &
      sleep 0.5
      cached_build slow 1 "${dir}/slow-1" build_slow
      wait
      cat "${dir}/slow-1/out"`;
    try {
      const result = await run('bash', [
        '-c',
        `SHOPSTACK_STATE=${dir}/state SHOPSTACK_CACHE=${dir} bash -c '${script}'`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'built');
      assert.match(result.stderr, /slow: waiting for its build that is already running/);
      const runs = await run('bash', ['-c', `cat ${dir}/runs`]);
      assert.equal(runs.stdout.trim(), 'run', 'the build ran more than once');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the known components when asked for an unknown one', async () => {
    const result = await run('bash', [infra, 'up', 'mysql']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /ERROR \(mysql\): unknown component \(known: postgres rabbitmq redis ferretdb/,
    );
  });
});
