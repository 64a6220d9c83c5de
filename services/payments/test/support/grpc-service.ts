// A payments service for the gRPC suites: its own database and test issuer, channels opened as the
// calling service (the allow-list beside the handlers decides what each may call), and one close()
// that undoes all of it.
import { loadConfig } from '@shopstack/kit';
import { startTestIssuer, type TestIssuer, testGrpcChannel } from '@shopstack/kit/testing';
import { PaymentsServiceDefinition } from '@shopstack/proto/shop/payments/v1/payments';
import { MongoClient } from 'mongodb';
import { type Channel, createClient } from 'nice-grpc';
import { paymentsConfigSchema } from '../../src/config.js';
import { type PaymentsService, startPaymentsService } from '../../src/service.js';
import { mongoUrl, testDbName } from './db.js';
import { serviceEnv } from './env.js';

export type PaymentsClient = ReturnType<typeof createClient<typeof PaymentsServiceDefinition>>;

export interface GrpcTestService {
  service: PaymentsService;
  issuer: TestIssuer;
  /** A client calling as `caller` (its test certificate names it). */
  clientAs(caller: string): Promise<PaymentsClient>;
  /** A bare channel as `caller`, for calls outside the payments API (e.g. reflection). */
  channelAs(caller: string): Promise<Channel>;
  close(): Promise<void>;
}

export async function startGrpcTestService(overrides: Record<string, string> = {}): Promise<GrpcTestService> {
  const dbName = testDbName();
  const issuer = await startTestIssuer();
  const service = await startPaymentsService(
    loadConfig(paymentsConfigSchema, serviceEnv(dbName, issuer.jwksUrl, overrides)),
  );
  const channels: Channel[] = [];
  const channelAs = async (caller: string) => {
    const channel = await testGrpcChannel(service.grpcAddress!, caller);
    channels.push(channel);
    return channel;
  };
  return {
    service,
    issuer,
    channelAs,
    clientAs: async (caller) => createClient(PaymentsServiceDefinition, await channelAs(caller)),
    async close() {
      for (const channel of channels) channel.close();
      await service.close();
      await issuer.close();
      const mongo = await MongoClient.connect(mongoUrl());
      await mongo.db(dbName).dropDatabase();
      await mongo.close();
    },
  };
}
