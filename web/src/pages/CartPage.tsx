// The cart (kept by the orders service, priced now by the catalog) and the checkout button.
import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { must, newIdempotencyKey, orders } from '../api/client';
import type { CartView, OrderView } from '../api/views';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { money } from '../ui/format';

export function CartPage() {
  return (
    <RequireSignIn>
      <Cart />
    </RequireSignIn>
  );
}

function Cart() {
  const cart = useLoad(async () => (await must(orders.GET('/api/orders/cart'))) as unknown as CartView, []);
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const navigate = useNavigate();
  // One key per checkout attempt: a retried click replays the same order instead of placing another.
  const checkoutKey = useRef(newIdempotencyKey());

  const change = async (productId: string, quantity: number) => {
    setState({ busy: true });
    try {
      const path = { params: { path: { productId } } };
      if (quantity <= 0) await must(orders.DELETE('/api/orders/cart/lines/{productId}', path));
      else await must(orders.PUT('/api/orders/cart/lines/{productId}', { ...path, body: { quantity } }));
      setState({});
      cart.reload();
    } catch (error) {
      setState({ error });
    }
  };
  const checkout = async () => {
    setState({ busy: true });
    try {
      const order = (await must(
        orders.POST('/api/orders/checkout', {
          params: { header: { 'Idempotency-Key': checkoutKey.current } },
        }),
      )) as unknown as OrderView;
      checkoutKey.current = newIdempotencyKey();
      navigate(`/orders/${order.orderId}`);
    } catch (error) {
      setState({ error });
    }
  };

  if (cart.error) return <ErrorNote error={cart.error} />;
  if (!cart.data) return <Loading label="Loading the cart" />;
  const { lines, totals } = cart.data;
  return (
    <Page title="Cart">
      {lines.length === 0 ? (
        <p>
          The cart is empty. <Link to="/">Browse the catalog</Link>.
        </p>
      ) : (
        <>
          <table className="table">
            <caption className="sr-only">Products in the cart</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Unit price</th>
                <th scope="col">Quantity</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.productId}>
                  <td>
                    <Link to={`/products/${line.productId}`}>{line.name}</Link>
                    {line.purchasable ? null : <span className="error-text"> (cannot be bought)</span>}
                  </td>
                  <td>{money(line.unitPriceMinor, line.currency)}</td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      aria-label={`Quantity of ${line.name}`}
                      defaultValue={line.quantity}
                      disabled={state.busy}
                      onBlur={(e) => {
                        const next = Number(e.target.value);
                        if (next !== line.quantity) void change(line.productId, next);
                      }}
                    />
                  </td>
                  <td>{money(line.lineTotalMinor, line.currency)}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      disabled={state.busy}
                      onClick={() => change(line.productId, 0)}
                    >
                      Remove <span className="sr-only">{line.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="total" data-testid="cart-total">
            Total: {totals.map((t) => money(t.totalMinor, t.currency)).join(' + ')}
          </p>
          <button type="button" className="primary" disabled={state.busy} onClick={checkout}>
            Check out
          </button>
        </>
      )}
      <ErrorNote error={state.error} />
    </Page>
  );
}
