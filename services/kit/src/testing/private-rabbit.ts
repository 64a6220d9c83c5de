// A RabbitMQ broker of a test's own (its own node name, ports and state folder), for tests that
// stop or restart the broker: the shared one is never touched. Same Debian rabbitmq-server as the
// local infrastructure (scripts/infra/rabbitmq.sh), started the same way; its state survives
// `restart()`, so durable queues and their messages come back as they would in production.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomSuffix } from './database.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface PrivateRabbit {
  url: string;
  node: string;
  /** Stops the broker (waits for its process to exit) and starts it again on the same port and state. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and removes its state. */
  destroy(): Promise<void>;
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const [amqpPort, distPort] = [await freePort(), await freePort()];
  const node = `rabbit-test-${randomSuffix()}@localhost`;
  const state = mkdtempSync(join(tmpdir(), 'shopstack-rabbit-'));
  const pidFile = join(state, 'rabbitmq.pid');
  mkdirSync(join(state, 'mnesia'));
  mkdirSync(join(state, 'log'));
  writeFileSync(join(state, 'enabled_plugins'), '[].');
  writeFileSync(
    join(state, 'rabbitmq.conf'),
    `listeners.tcp.1 = 127.0.0.1:${amqpPort}\nloopback_users.guest = true\n`,
  );
  const env = {
    ...process.env,
    RABBITMQ_MNESIA_BASE: join(state, 'mnesia'),
    RABBITMQ_LOG_BASE: join(state, 'log'),
    RABBITMQ_PID_FILE: pidFile,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(state, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(state, 'rabbitmq'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  // The broker drops to the rabbitmq user when started as root, so its state folder is theirs.
  if (process.getuid?.() === 0) await run('chown', ['-R', 'rabbitmq:rabbitmq', state]);

  const start = async () => {
    await run('rabbitmq-server', ['-detached'], { env });
    await run('rabbitmqctl', ['-n', node, 'wait', pidFile, '--timeout', '90'], { env, timeout: 100_000 });
  };
  const stop = async () => {
    // Given the pid file, `stop` returns only once the broker's process has exited.
    await run('rabbitmqctl', ['-n', node, 'stop', pidFile], { env, timeout: 60_000 }).catch(() => {});
  };
  await start();
  return {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    node,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      await stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
