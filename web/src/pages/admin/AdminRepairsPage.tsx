// Console: repairs after an incident. Ledger adjustments wait for a second admin's approval (the
// requester cannot approve their own: four eyes, enforced by payments); a stock correction sets a
// product's counted units; a stuck checkout is retried or force-cancelled from the one-customer view
// or here by its order id. Support sees the adjustments, nothing to press.
import { Link } from 'react-router';
import { backoffice, catalog, must, newIdempotencyKey } from '../../api/client';
import type { AdjustmentView } from '../../api/views';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { useSession } from '../../auth/session';
import { ErrorNote, Loading, Page, Table, useLoad } from '../../ui/components';
import { dateTime, money } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, ReasonForm, useAction } from './parts';

export function AdminRepairsPage() {
  return (
    <RequireSignIn staff>
      <Repairs />
    </RequireSignIn>
  );
}

function Repairs() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const list = useLoad(
    async () =>
      (await must(backoffice.GET('/api/backoffice/repairs/ledger-adjustments')))
        .items as unknown as AdjustmentView[],
    [],
  );
  const { state, run } = useAction();
  const act = (work: () => Promise<unknown>, message: string) =>
    run(work, message).then((ok) => ok && list.reload());
  const key = () => ({ 'Idempotency-Key': newIdempotencyKey() });
  return (
    <Page title="Repairs">
      <AdminNav />
      <h2>Ledger adjustments</h2>
      <p className="muted small">
        Requested from a customer's page; each posts against the house adjustments account once a second admin
        approves it.
      </p>
      {list.error ? <ErrorNote error={list.error} /> : null}
      {!list.data && !list.error ? <Loading label="Loading the adjustments" /> : null}
      {list.data?.length === 0 ? <p>No adjustments.</p> : null}
      {list.data?.length ? (
        <Table
          caption="Ledger adjustments, newest first"
          testId="adjustments"
          columns={['Customer', 'Amount', 'Reason', 'Status', 'Requested', ...(admin ? ['Approve'] : [])]}
        >
          {list.data.map((a) => (
            <tr key={a.id}>
              <td>
                <Link to={`/admin/customers/${a.userId}`}>{a.userId.slice(0, 8)}</Link>
              </td>
              <td>{money(a.amountMinor, a.currency)}</td>
              <td>{a.reason}</td>
              <td>
                {a.status.replaceAll('_', ' ')}
                {a.balanceAfterMinor !== null
                  ? ` (balance ${money(a.balanceBeforeMinor ?? 0, a.currency)} → ${money(a.balanceAfterMinor, a.currency)})`
                  : ''}
                {a.failureReason ? ` — ${a.failureReason}` : ''}
              </td>
              <td>
                {dateTime(a.requestedAt)} by {a.requestedBy === me?.id ? 'you' : a.requestedBy.slice(0, 8)}
              </td>
              {admin ? (
                <td>
                  {a.status === 'awaiting_approval' ? (
                    a.requestedBy === me?.id ? (
                      <span className="muted">another admin approves</span>
                    ) : (
                      <button
                        type="button"
                        disabled={state.busy}
                        aria-label={`Approve ${money(a.amountMinor, a.currency)} for ${a.userId.slice(0, 8)}`}
                        onClick={() =>
                          act(
                            () =>
                              must(
                                backoffice.POST('/api/backoffice/repairs/ledger-adjustments/{id}/approve', {
                                  params: { path: { id: a.id } },
                                }),
                              ),
                            'Approved and posted',
                          )
                        }
                      >
                        Approve
                      </button>
                    )
                  ) : (
                    '—'
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
      ) : null}
      {admin ? (
        <div className="columns">
          <ReasonForm
            title="Correct a product's stock"
            button="Correct the stock"
            busy={state.busy}
            onSubmit={(reason, form) =>
              act(async () => {
                const name = String(form.get('product')).trim();
                const found = await must(
                  catalog.GET('/api/catalog/products', { params: { query: { q: name } } }),
                );
                const product = found.items.find((p) => p.name === name);
                if (!product) throw new Error(`no product is named “${name}”`);
                await must(
                  backoffice.POST('/api/backoffice/repairs/products/{productId}/stock', {
                    params: { path: { productId: product.id }, header: key() },
                    body: { onHand: Number(form.get('onHand')), reason },
                  }),
                );
              }, 'Stock corrected')
            }
          >
            <label>
              Product name (exactly)
              <input name="product" required />
            </label>
            <label>
              Units on hand (counted)
              <input name="onHand" type="number" min={0} required />
            </label>
          </ReasonForm>
          <ReasonForm
            title="Repair a stuck checkout"
            button="Repair the checkout"
            busy={state.busy}
            onSubmit={(reason, form) =>
              act(async () => {
                const orderId = String(form.get('orderId')).trim();
                const repair = String(form.get('repair')) as 'retry' | 'force-cancel';
                const params = { path: { orderId }, header: key() };
                await must(
                  repair === 'retry'
                    ? backoffice.POST('/api/backoffice/repairs/orders/{orderId}/retry', {
                        params,
                        body: { reason },
                      })
                    : backoffice.POST('/api/backoffice/repairs/orders/{orderId}/force-cancel', {
                        params,
                        body: { reason },
                      }),
                );
              }, 'Repaired')
            }
          >
            <label>
              Order id
              <input name="orderId" required pattern="[0-9a-fA-F-]{36}" />
            </label>
            <label>
              Repair
              <select name="repair">
                <option value="retry">retry the current step now</option>
                <option value="force-cancel">force-cancel with compensation</option>
              </select>
            </label>
          </ReasonForm>
        </div>
      ) : null}
      <Outcome state={state} />
    </Page>
  );
}
