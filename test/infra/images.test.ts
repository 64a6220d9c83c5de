// The images built here without Docker (scripts/images.sh) are the Dockerfiles' images: the config
// of an imported image in the node's containerd is the final stage's WORKDIR, ENV, USER, EXPOSE and
// CMD, its layers are the base's plus one per COPY --from=build, and building again finds it by its
// content hash instead of building it twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildImages } from '../cluster/local-cluster.js';
import { infraEnv } from '../support/env.js';
import { run } from '../support/process.js';

const ctr = (...args: string[]) =>
  run('ctr', ['--address', infraEnv('NODE_CONTAINERD_SOCK'), '-n', 'k8s.io', ...args], 60_000);

/** The OCI manifest and config of an image in containerd. */
async function inspect(ref: string) {
  const listed = await ctr('images', 'ls', `name==${ref}`);
  const digest = /sha256:[0-9a-f]{64}/.exec(listed.stdout)?.[0];
  assert.ok(digest, `${ref} is not in containerd: ${listed.stdout}${listed.stderr}`);
  const manifest = JSON.parse((await ctr('content', 'get', digest)).stdout);
  const config = JSON.parse((await ctr('content', 'get', manifest.config.digest)).stdout);
  return { manifest, config: config.config, layers: manifest.layers.length as number };
}

/** The final stage of a Dockerfile, as the instructions that make an image's config. */
function finalStage(file: string) {
  const stage = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')
    .split('\nFROM ')
    .at(-1)!;
  const lines = stage.split('\n');
  const value = (instruction: string) =>
    lines.filter((l) => l.startsWith(`${instruction} `)).map((l) => l.slice(instruction.length + 1));
  return {
    workdir: value('WORKDIR')[0],
    env: value('ENV').flatMap((l) => l.split(' ')),
    user: value('USER')[0],
    exposed: value('EXPOSE').flatMap((l) => l.split(' ').map((p) => `${p}/tcp`)),
    cmd: JSON.parse(value('CMD')[0]!) as string[],
    copies: value('COPY').filter((l) => l.startsWith('--from=build ')).length,
  };
}

describe('infrastructure: images built without Docker, from the Dockerfiles', function () {
  this.timeout(900_000);
  let images: Record<string, string>;

  before(async () => {
    images = await buildImages(['orders', 'operator']);
  });

  for (const [name, file] of [
    ['orders', 'services/Dockerfile'],
    ['operator', 'operator/Dockerfile'],
  ] as const) {
    it(`gives the ${name} image the config and layers of ${file}'s final stage`, async () => {
      const stage = finalStage(file);
      const base = await inspect(infraEnv('NODE_BASE_IMAGE'));
      const image = await inspect(images[name]!);
      assert.equal(image.config.WorkingDir, stage.workdir);
      assert.equal(image.config.User, stage.user);
      assert.deepEqual(image.config.Cmd, stage.cmd);
      for (const variable of stage.env) assert.ok(image.config.Env.includes(variable), variable);
      assert.deepEqual(Object.keys(image.config.ExposedPorts).sort(), stage.exposed.sort());
      // The distroless base runs node; the local base's Node is the same entrypoint.
      assert.deepEqual(image.config.Entrypoint, ['node']);
      assert.equal(image.layers, base.layers + stage.copies);
    });
  }

  it('finds an unchanged image by its content hash instead of building it again', async () => {
    const again = await buildImages(['orders']);
    assert.equal(again.orders, images.orders);
    assert.match(images.orders!, /^shopstack\.local\/orders:[0-9a-f]{16}$/);
  });
});
