// Recipients' addresses from the users service over gRPC (deadline, retries of this read, breaker).
import { createGrpcClient, type GrpcTransport, type ServiceMetrics } from '@shopstack/kit';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { ClientError, Status } from 'nice-grpc';
import type { Directory } from '../app/ports.js';

export function createUsersDirectory(options: {
  address: string;
  metrics: ServiceMetrics;
  transport: GrpcTransport;
  deadlineMs: number;
  breakerResetMs: number;
}): Directory {
  const handle = createGrpcClient(UsersServiceDefinition, {
    address: options.address,
    downstream: 'users',
    metrics: options.metrics,
    transport: options.transport,
    deadlineMs: options.deadlineMs,
    breaker: { resetTimeoutMs: options.breakerResetMs },
  });
  return {
    close: handle.close,
    async contactOf(userId) {
      try {
        const { user } = await handle.client.getUser({ id: userId });
        if (!user || user.deleted) return undefined;
        return { email: user.email, ...(user.phone ? { phone: user.phone } : {}) };
      } catch (error) {
        if (
          error instanceof ClientError &&
          (error.code === Status.NOT_FOUND || error.code === Status.INVALID_ARGUMENT)
        )
          return undefined;
        throw error;
      }
    },
  };
}
