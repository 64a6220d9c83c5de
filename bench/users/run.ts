// Users benchmark: argon2id cost at the production parameters and the sign-in rate it allows,
// access-token verification rate, and GET /api/users/me throughput — each next to a baseline
// measured in the same run on the same machine. Talks only to services on 127.0.0.1.
//
//   npm run infra -- up postgres rabbitmq
//   node --import tsx --conditions shopstack-source bench/users/run.ts [seconds-per-measurement]
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { verify as argonVerify, hash } from '@node-rs/argon2';
import { createJwtVerifier, createLogger } from '@shopstack/kit';
import {
  createTestDatabase,
  prepareTestIdentities,
  randomSuffix,
  requestJson,
  requireEnv,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import { startUsersService, usersConfigSchema } from '@shopstack/users';
import { measure, printFigures } from '../support/timing.js';

// The services' gRPC identities from a test CA, as mocha's root hook makes them for the suites.
await prepareTestIdentities();

const seconds = Number(process.argv[2] ?? 5);
const cores = availableParallelism();
const PASSWORD = 'correct horse battery staple';

const database = await createTestDatabase('users_bench');
const config = usersConfigSchema.parse({
  DATABASE_URL: database.url,
  AMQP_URL: requireEnv('AMQP_URL'),
  EVENTS_EXCHANGE: `bench.events.${randomSuffix()}`,
  HTTP_PORT: '0',
  ...testGrpcEnv('users'),
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
}); // argon2id at the defaults: m = 19 MiB, t = 2, p = 1
const service = await startUsersService(config, createLogger({ service: 'users', level: 'silent' }));

try {
  console.log(`users benchmark — ${cores} cores, ${seconds}s per measurement, Node ${process.version}`);
  console.log(
    `argon2id m=${config.ARGON2_MEMORY_KIB} KiB t=${config.ARGON2_TIME_COST} p=${config.ARGON2_PARALLELISM} (OWASP minimum)`,
  );

  // 1. Password hashing.
  const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id
  const params = {
    algorithm: ARGON2ID,
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: 1,
  };
  const stored = await hash(PASSWORD, params);
  const oneAtATime = await measure(() => argonVerify(stored, PASSWORD), { seconds, concurrency: 1 });
  const allCores = await measure(() => argonVerify(stored, PASSWORD), { seconds, concurrency: cores * 2 });
  const sha = await measure(async () => createHash('sha256').update(PASSWORD).digest(), {
    seconds: 1,
    concurrency: 1,
  });
  printFigures('password hashing', [
    ['argon2id verify, one at a time', oneAtATime, 'cost of one sign-in attempt'],
    [`argon2id verify, ${cores * 2} in parallel`, allCores, 'max sign-ins/s this machine allows'],
    ['baseline: SHA-256 of the password (never for storage)', sha, 'what an attacker with a leak would get'],
  ]);

  // 2. Sign-in over HTTP (argon2id + refresh family + token signing).
  const email = `bench.${randomSuffix()}@example.test`;
  await requestJson(`${service.httpUrl}/api/users/register`, { body: { email, password: PASSWORD } });
  const login = await measure(
    () => requestJson(`${service.httpUrl}/api/users/login`, { body: { email, password: PASSWORD } }),
    { seconds, concurrency: cores * 2 },
  );
  const { body: tokens } = await requestJson(`${service.httpUrl}/api/users/login`, {
    body: { email, password: PASSWORD },
  });

  // 3. Token verification, as every service does it (jose + cached JWKS), against raw Ed25519.
  const verifier = createJwtVerifier({
    jwksUrl: `${service.httpUrl}/.well-known/jwks.json`,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  await verifier.verify(tokens.accessToken);
  const jwtRate = await measure(() => verifier.verify(tokens.accessToken), { seconds, concurrency: 1 });
  const keys = generateKeyPairSync('ed25519');
  const message = Buffer.from(tokens.accessToken.split('.').slice(0, 2).join('.'));
  const signature = sign(null, message, keys.privateKey);
  const rawEd = await measure(async () => verify(null, message, keys.publicKey, signature), {
    seconds,
    concurrency: 1,
  });
  printFigures('access-token verification (in process)', [
    ['JWT verify (EdDSA, claims, cached JWKS)', jwtRate],
    ['baseline: bare Ed25519 signature verify', rawEd],
  ]);

  // 4. GET /me (token verify + two indexed reads) against GET /healthz (no work) — same client, same concurrency.
  const concurrency = 16;
  const me = await measure(
    () => requestJson(`${service.httpUrl}/api/users/me`, { token: tokens.accessToken }),
    {
      seconds,
      concurrency,
    },
  );
  const health = await measure(() => requestJson(`${service.httpUrl}/healthz`), { seconds, concurrency });
  printFigures(
    `HTTP throughput (${concurrency} concurrent clients, keep-alive, client on the same machine)`,
    [
      ['POST /api/users/login (argon2id at production cost)', login],
      ['GET /api/users/me', me],
      ['baseline: GET /healthz', health],
    ],
  );
} finally {
  await service.close();
  await database.drop();
}
