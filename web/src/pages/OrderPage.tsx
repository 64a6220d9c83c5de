// One order, live: while the checkout saga runs, its steps tick off as the orders service records
// them; it ends confirmed, or cancelled with the reason. Cancel (before confirmation) or ask for a
// refund (after it).
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { catalog, must, orders } from '../api/client';
import type { OrderView } from '../api/views';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorNote, Loading, Page } from '../ui/components';
import { dateTime, money, reasonText } from '../ui/format';

const POLL_MS = 400;
const STEPS: { key: keyof OrderView['progress'] | 'confirmed'; label: string }[] = [
  { key: 'stockReserved', label: 'Stock reserved' },
  { key: 'paymentHeld', label: 'Payment held' },
  { key: 'confirmed', label: 'Order confirmed' },
  { key: 'paymentCaptured', label: 'Payment captured' },
  { key: 'stockCommitted', label: 'Stock committed' },
];
const STATUS_TEXT: Record<OrderView['status'], string> = {
  pending: 'Processing',
  confirmed: 'Confirmed',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  payment_failed: 'Payment failed',
};

export function OrderPage() {
  return (
    <RequireSignIn>
      <Order />
    </RequireSignIn>
  );
}

/** Confirmed orders still capture and commit after confirmation: keep watching until both are done. */
const settled = (order: OrderView) =>
  order.status !== 'pending' &&
  !(order.status === 'confirmed' && !(order.progress.paymentCaptured && order.progress.stockCommitted));

function Order() {
  const { id = '' } = useParams();
  const [order, setOrder] = useState<OrderView>();
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [round, setRound] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a cancel starts watching again (round)
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = (await must(
          orders.GET('/api/orders/{orderId}', { params: { path: { orderId: id } } }),
        )) as unknown as OrderView;
        if (!live) return;
        setOrder(next);
        setError(undefined);
        if (!settled(next)) timer = setTimeout(poll, POLL_MS);
      } catch (e) {
        if (live) setError(e);
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, round]);

  const productIds = order?.lines.map((l) => l.productId).join(',') ?? '';
  useEffect(() => {
    if (!productIds) return;
    void Promise.all(
      productIds.split(',').map(async (productId) => {
        const { data } = await catalog.GET('/api/catalog/products/{id}', {
          params: { path: { id: productId } },
        });
        return [productId, data?.name ?? productId] as const;
      }),
    ).then((pairs) => setNames(Object.fromEntries(pairs)));
  }, [productIds]);

  const [cancelling, setCancelling] = useState<{ busy?: boolean; error?: unknown }>({});
  const cancel = async () => {
    setCancelling({ busy: true });
    try {
      await must(orders.POST('/api/orders/{orderId}/cancel', { params: { path: { orderId: id } } }));
      setCancelling({});
      setRound((r) => r + 1);
    } catch (e) {
      setCancelling({ error: e });
    }
  };

  if (!order) return error ? <ErrorNote error={error} /> : <Loading label="Loading the order" />;
  const done = (key: (typeof STEPS)[number]['key']) =>
    key === 'confirmed' ? order.confirmedAt !== null : order.progress[key];
  const canCancel =
    order.status === 'pending' || (order.status === 'confirmed' && BigInt(order.refundedMinor) === 0n);
  return (
    <Page title={`Order ${order.orderId.slice(0, 8)}`}>
      <p
        className={`status status-${order.status}`}
        role="status"
        aria-live="polite"
        data-testid="order-status"
      >
        {STATUS_TEXT[order.status]}
        {order.cancelReason ? ` — ${reasonText(order.cancelReason)}` : ''}
        {order.paymentFailure ? ` — ${reasonText(order.paymentFailure)}` : ''}
      </p>
      <ol className="steps" aria-label="Checkout progress">
        {STEPS.map((step) => (
          <li key={step.key} className={done(step.key) ? 'done' : ''}>
            <span aria-hidden="true">{done(step.key) ? '✓' : '○'}</span> {step.label}
            <span className="sr-only">{done(step.key) ? ' (done)' : ' (not yet)'}</span>
          </li>
        ))}
      </ol>
      <table className="table">
        <caption className="sr-only">Products in the order</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit price</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.productId}>
              <td>
                <Link to={`/products/${line.productId}`}>{names[line.productId] ?? 'Product'}</Link>
              </td>
              <td>{line.quantity}</td>
              <td>{money(line.unitPriceMinor, line.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="total">Total: {money(order.totalMinor, order.currency)}</p>
      {BigInt(order.refundedMinor) > 0n ? (
        <p>Refunded: {money(order.refundedMinor, order.currency)}</p>
      ) : null}
      <p className="muted">Placed {dateTime(order.placedAt)}</p>
      {canCancel ? (
        <button type="button" disabled={cancelling.busy} onClick={cancel}>
          {order.status === 'pending' ? 'Cancel the order' : 'Cancel and refund'}
        </button>
      ) : null}
      <ErrorNote error={cancelling.error ?? error} />
      <p>
        <Link to="/orders">All orders</Link>
      </p>
    </Page>
  );
}
