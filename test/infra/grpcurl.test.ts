import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { infraEnv } from '../support/env.js';
import { run } from '../support/process.js';

const protoFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/greeter.proto');

describe('infrastructure: grpcurl', () => {
  const grpcurl = infraEnv('GRPCURL_BIN');
  const server = new grpc.Server();
  let address: string;

  before(async () => {
    const definition = protoLoader.loadSync(protoFile);
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      shop: { infratest: { v1: { Greeter: grpc.ServiceClientConstructor } } };
    };
    server.addService(loaded.shop.infratest.v1.Greeter.service, {
      greet: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
        callback(null, { greeting: `hello, ${call.request.name}` }),
    });
    new ReflectionService(definition).addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  after(() => server.forceShutdown());

  it('lists the services a server offers through reflection', async () => {
    const listed = await run(grpcurl, ['-plaintext', address, 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^shop\.infratest\.v1\.Greeter$/m);
  });

  it('calls a method with a JSON request', async () => {
    const called = await run(grpcurl, [
      '-plaintext',
      '-d',
      '{"name":"shop"}',
      address,
      'shop.infratest.v1.Greeter/Greet',
    ]);
    assert.equal(called.code, 0, called.stderr);
    assert.deepEqual(JSON.parse(called.stdout), { greeting: 'hello, shop' });
  });
});
