import assert from 'node:assert/strict';
import { run } from '../support/process.js';

/** Processes the local infrastructure starts; nothing of theirs may listen beyond this machine. */
const INFRA_PROCESSES = [
  'postgres',
  'beam.smp',
  'epmd',
  'redis-server',
  'ferretdb',
  'prometheus',
  'etcd',
  'kube-apiserver',
  'kube-controller',
  'kube-scheduler',
  'kwok',
  'envoy',
  'containerd',
  'kube-proxy',
];
/**
 * The real node's kubelet and DNS serve the pods, so they listen on the node's bridge address: a
 * bridge with no uplink, which only this machine and its pods reach.
 */
const NODE_PROCESSES = ['kubelet', 'coredns'];

describe('infrastructure: network exposure', () => {
  it('listens on loopback addresses only', async () => {
    const sockets = await run('ss', ['-ltnpH']);
    assert.equal(sockets.code, 0, sockets.stderr);
    const ours = sockets.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .map((fields) => ({ local: fields[3] ?? '', process: /\("([^"]+)"/.exec(fields[5] ?? '')?.[1] ?? '' }))
      .filter((socket) => [...INFRA_PROCESSES, ...NODE_PROCESSES].includes(socket.process));
    assert.ok(
      ours.some((socket) => socket.process === 'postgres'),
      'no infrastructure listener found at all',
    );
    const nodeIp = process.env.KUBE_NODE_IP;
    const exposed = ours.filter(
      (socket) =>
        !/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(socket.local) &&
        !(NODE_PROCESSES.includes(socket.process) && nodeIp && socket.local.startsWith(`${nodeIp}:`)),
    );
    assert.deepEqual(exposed, []);
  });
});
