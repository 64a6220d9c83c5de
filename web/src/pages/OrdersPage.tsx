// My orders, newest first, a page at a time.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { must, orders } from '../api/client';
import type { OrdersPage as OrdersReply, OrderView } from '../api/views';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorNote, Loading, Page } from '../ui/components';
import { dateTime, money, reasonText } from '../ui/format';

export function OrdersPage() {
  return (
    <RequireSignIn>
      <Orders />
    </RequireSignIn>
  );
}

function Orders() {
  const [items, setItems] = useState<OrderView[]>();
  const [cursor, setCursor] = useState<string | null | undefined>();
  const [error, setError] = useState<unknown>();
  const load = async (after?: string) => {
    try {
      const page = (await must(
        orders.GET('/api/orders', { params: { query: { limit: 20, ...(after ? { cursor: after } : {}) } } }),
      )) as unknown as OrdersReply;
      setItems((previous) => [...(after ? (previous ?? []) : []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once
  useEffect(() => {
    void load();
  }, []);
  if (error) return <ErrorNote error={error} />;
  if (!items) return <Loading label="Loading orders" />;
  return (
    <Page title="Orders">
      {items.length === 0 ? <p>No orders yet.</p> : null}
      <ul className="list">
        {items.map((order) => (
          <li key={order.orderId}>
            <Link to={`/orders/${order.orderId}`}>Order {order.orderId.slice(0, 8)}</Link> ·{' '}
            {money(order.totalMinor, order.currency)} ·{' '}
            <span className={`status-${order.status}`}>{order.status}</span>
            {order.cancelReason ? ` (${reasonText(order.cancelReason)})` : ''} ·{' '}
            <span className="muted">{dateTime(order.placedAt)}</span>
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" onClick={() => load(cursor)}>
          More orders
        </button>
      ) : null}
    </Page>
  );
}
