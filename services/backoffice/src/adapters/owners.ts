// gRPC clients of the services that own the data the back office shows and repairs (deadline, retries
// of idempotent calls, a breaker each, from the kit). The back office never reads their tables: the
// one-customer view and every repair go through the owner's API, which audits and publishes.
import {
  AppError,
  createGrpcClient,
  type ErrorKind,
  type GrpcTransport,
  type ServiceMetrics,
} from '@shopstack/kit';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';
import { NotificationsServiceDefinition } from '@shopstack/proto/shop/notifications/v1/notifications';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { PaymentsServiceDefinition } from '@shopstack/proto/shop/payments/v1/payments';
import { UsersServiceDefinition } from '@shopstack/proto/shop/users/v1/users';
import { ClientError, Status } from 'nice-grpc';

export type OwnerName = 'users' | 'orders' | 'payments' | 'catalog' | 'notifications';

const DEFINITIONS = {
  users: UsersServiceDefinition,
  orders: OrdersServiceDefinition,
  payments: PaymentsServiceDefinition,
  catalog: CatalogServiceDefinition,
  notifications: NotificationsServiceDefinition,
} as const;

type Clients = {
  [N in OwnerName]: ReturnType<typeof createGrpcClient<(typeof DEFINITIONS)[N]>>['client'];
};

export interface Owners {
  /** The owner's client; a 503 problem when its address is not configured. */
  client<N extends OwnerName>(name: N): Clients[N];
  close(): void;
}

export function createOwners(options: {
  addresses: Partial<Record<OwnerName, string>>;
  metrics: ServiceMetrics;
  transport: () => GrpcTransport;
  deadlineMs: number;
}): Owners {
  const handles = new Map<OwnerName, ReturnType<typeof createGrpcClient>>();
  for (const name of Object.keys(DEFINITIONS) as OwnerName[]) {
    const address = options.addresses[name];
    if (!address) continue;
    handles.set(
      name,
      createGrpcClient(DEFINITIONS[name], {
        address,
        downstream: name,
        metrics: options.metrics,
        transport: options.transport(),
        deadlineMs: options.deadlineMs,
      }),
    );
  }
  return {
    client<N extends OwnerName>(name: N): Clients[N] {
      const handle = handles.get(name);
      if (!handle)
        throw new AppError(
          'unavailable',
          'owner-not-configured',
          `the back office has no address for ${name}`,
        );
      return handle.client as unknown as Clients[N];
    },
    close: () => {
      for (const handle of handles.values()) handle.close();
    },
  };
}

const KIND_OF: Partial<Record<Status, ErrorKind>> = {
  [Status.INVALID_ARGUMENT]: 'invalid',
  [Status.NOT_FOUND]: 'not_found',
  [Status.ALREADY_EXISTS]: 'conflict',
  [Status.FAILED_PRECONDITION]: 'conflict',
  [Status.PERMISSION_DENIED]: 'forbidden',
};

/**
 * The owner's answer, or its refusal as a problem the admin can act on: the owner's message, under a
 * stable type (`codes` names it per status, e.g. PERMISSION_DENIED → four-eyes). A failure of the
 * owner itself (down, slow, breaker open) is a 503.
 */
export async function ask<T>(
  owner: OwnerName,
  call: Promise<T>,
  codes: Partial<Record<keyof typeof Status, string>> = {},
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const kind = KIND_OF[error.code];
    if (!kind)
      throw new AppError('unavailable', 'owner-unavailable', `${owner} did not answer: ${error.details}`, {
        retryAfterSeconds: 1,
      });
    // The back office checks input before it asks, so an owner's INVALID_ARGUMENT is a rule of the owner's.
    const code = codes[Status[error.code] as keyof typeof Status] ?? `${owner}-${kind.replace('_', '-')}`;
    throw new AppError(kind, code, error.details);
  }
}
