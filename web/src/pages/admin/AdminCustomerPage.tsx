// Console: the one-customer view (the back office assembles it from users, orders, payments and
// notifications; a service that did not answer is named and its parts left out). Admins act from
// here: confirm the email by hand, sign the customer out everywhere, retry or force-cancel a stuck
// checkout, request a ledger adjustment (posted once a second admin approves it on Repairs).
import { Link, useParams } from 'react-router';
import { backoffice, must, newIdempotencyKey } from '../../api/client';
import type { CustomerView } from '../../api/views';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { useSession } from '../../auth/session';
import { ErrorNote, Loading, Page, Table, useLoad } from '../../ui/components';
import { count, dateTime, money, reasonText, toMinor } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, ReasonForm, useAction } from './parts';

export function AdminCustomerPage() {
  return (
    <RequireSignIn staff>
      <Customer />
    </RequireSignIn>
  );
}

function Customer() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const view = useLoad(
    async () =>
      (await must(
        backoffice.GET('/api/backoffice/customers/{id}', { params: { path: { id } } }),
      )) as unknown as CustomerView,
    [id],
  );
  const { state, run } = useAction();
  if (view.error) return <ErrorNote error={view.error} />;
  const c = view.data;
  if (!c) return <Loading label="Loading the customer" />;
  const path = { params: { path: { id } } };
  const act = (work: () => Promise<unknown>, message: string) =>
    run(work, message).then((ok) => ok && view.reload());
  return (
    <Page title={`Customer ${c.profile.email}`}>
      <AdminNav />
      {c.unavailable.length > 0 ? (
        <p className="notice" role="status">
          Not answering now: {c.unavailable.join(', ')}. Their parts are left out.
        </p>
      ) : null}
      <dl className="facts" data-testid="customer-profile">
        <dt>Id</dt>
        <dd>
          <code>{c.profile.id}</code> (<Link to={`/admin/users/${c.profile.id}`}>account</Link>)
        </dd>
        <dt>Role</dt>
        <dd>{c.profile.role}</dd>
        <dt>Status</dt>
        <dd>{c.profile.deleted ? 'deleted' : c.profile.blocked ? 'blocked' : 'active'}</dd>
        <dt>Email confirmed</dt>
        <dd data-testid="email-confirmed">{c.profile.emailVerified ? 'yes' : 'no'}</dd>
        <dt>Since</dt>
        <dd>{dateTime(c.profile.createdAt)}</dd>
      </dl>
      {admin ? (
        <div className="columns">
          {!c.profile.emailVerified ? (
            <ReasonForm
              title="Confirm the email by hand"
              button="Confirm the email"
              busy={state.busy}
              onSubmit={(reason) =>
                act(
                  () =>
                    must(
                      backoffice.POST('/api/backoffice/users/{id}/confirm-email', {
                        ...path,
                        body: { reason },
                      }),
                    ),
                  'Email confirmed',
                )
              }
            />
          ) : null}
          <ReasonForm
            title="Sign out everywhere"
            button="Sign out every session"
            busy={state.busy}
            onSubmit={(reason) =>
              run(
                async () => {
                  const reply = await must(
                    backoffice.POST('/api/backoffice/users/{id}/sign-out', { ...path, body: { reason } }),
                  );
                  view.reload();
                  return reply;
                },
                (reply: { sessionsRevoked: number }) => `Signed out: ${reply.sessionsRevoked} sessions ended`,
              )
            }
          />
          <AdjustmentRequest
            userId={c.profile.id}
            currencies={(c.accounts ?? []).map((a) => a.currency)}
            busy={state.busy}
            act={act}
          />
        </div>
      ) : (
        <p className="muted">Support can look; the actions are for admins.</p>
      )}
      <Outcome state={state} />

      <h2>Orders</h2>
      {c.orders === null ? <p className="muted">Orders did not answer.</p> : null}
      {c.orders?.length === 0 ? <p>No orders.</p> : null}
      {c.orders?.length ? (
        <Table
          caption={"The customer's orders, newest first"}
          testId="customer-orders"
          columns={['Order', 'Status', 'Total', 'Saga', ...(admin ? ['Repair'] : [])]}
        >
          {c.orders.map((o) => (
            <tr key={o.orderId}>
              <td>
                <code>{o.orderId.slice(0, 8)}</code> · {dateTime(o.placedAt)}
              </td>
              <td>
                {o.status}
                {o.cancelReason ? ` — ${reasonText(o.cancelReason)}` : ''}
              </td>
              <td>{money(o.totalMinor, o.currency)}</td>
              <td>
                {o.saga
                  ? `${o.saga.step}, ${count(o.saga.attempts, 'attempt')}${o.saga.lastError ? ` (${o.saga.lastError})` : ''}`
                  : '—'}
              </td>
              {admin ? (
                <td>
                  <SagaRepair orderId={o.orderId} busy={state.busy} act={act} />
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
      ) : null}

      <h2>Wallet</h2>
      {c.accounts === null ? <p className="muted">Payments did not answer.</p> : null}
      {c.accounts?.length === 0 ? <p>No accounts yet.</p> : null}
      {c.accounts?.map((a) => (
        <div key={a.id}>
          <p data-testid={`customer-balance-${a.currency}`}>
            {a.currency}: balance {money(a.balanceMinor, a.currency)}, held {money(a.heldMinor, a.currency)},
            available {money(a.availableMinor, a.currency)}
          </p>
          <Table
            caption={`Latest movements (${a.currency})`}
            showCaption
            columns={['When', 'What', 'Amount', 'Balance']}
          >
            {a.statement.map((e) => (
              <tr key={e.seq}>
                <td>{dateTime(e.at)}</td>
                <td>
                  {e.kind.replaceAll('_', ' ')}
                  {e.outcome && e.outcome !== 'applied' ? ` (${e.outcome})` : ''}
                </td>
                <td>{money(e.amountMinor, a.currency)}</td>
                <td>{money(e.balanceMinor, a.currency)}</td>
              </tr>
            ))}
          </Table>
        </div>
      ))}
      {c.adjustments?.length ? (
        <>
          <h2>Ledger adjustments</h2>
          <ul className="list">
            {c.adjustments.map((a) => (
              <li key={a.id}>
                {money(a.amountMinor, a.currency)} — {a.status.replaceAll('_', ' ')} — {a.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h2>Sessions</h2>
      {c.sessions === null ? <p className="muted">Users did not answer.</p> : null}
      <ul className="list">
        {c.sessions?.map((s) => (
          <li key={s.id}>
            Signed in {dateTime(s.createdAt)}
            {s.active
              ? ' — open'
              : ` — ended${s.revokedReason ? ` (${s.revokedReason.replaceAll('_', ' ')})` : ''}`}
          </li>
        ))}
      </ul>

      <h2>Messages sent</h2>
      {c.deliveries === null ? <p className="muted">Notifications did not answer.</p> : null}
      <ul className="list">
        {c.deliveries?.map((d) => (
          <li key={d.id}>
            {dateTime(d.createdAt)} · {d.channel} · {d.template} · {d.status}
            {d.lastError ? ` (${d.lastError})` : ''}
          </li>
        ))}
      </ul>

      <h2>Audit trail</h2>
      <ul className="list" data-testid="customer-audit">
        {c.auditTrail?.map((e) => (
          <li key={e.id}>
            {dateTime(e.at)} · {e.event}
            {e.actorId ? ` by ${e.actorId === me?.id ? 'you' : e.actorId}` : ''}
            {e.ip ? ` from ${e.ip}` : ''}
          </li>
        ))}
      </ul>
    </Page>
  );
}

type Act = (work: () => Promise<unknown>, message: string) => Promise<unknown>;

function SagaRepair({ orderId, busy, act }: { orderId: string; busy?: boolean | undefined; act: Act }) {
  // One key per attempt: a repeated click while the first is in flight is the same repair.
  const params = () => ({ path: { orderId }, header: { 'Idempotency-Key': newIdempotencyKey() } });
  return (
    <details>
      <summary>Repair {orderId.slice(0, 8)}</summary>
      <ReasonForm
        title="Retry the stuck step"
        button="Retry now"
        busy={busy}
        onSubmit={(reason) =>
          act(
            () =>
              must(
                backoffice.POST('/api/backoffice/repairs/orders/{orderId}/retry', {
                  params: params(),
                  body: { reason },
                }),
              ),
            'Retried',
          )
        }
      />
      <ReasonForm
        title="Force-cancel with compensation"
        button="Force-cancel"
        busy={busy}
        onSubmit={(reason) =>
          act(
            () =>
              must(
                backoffice.POST('/api/backoffice/repairs/orders/{orderId}/force-cancel', {
                  params: params(),
                  body: { reason },
                }),
              ),
            'Force-cancelled: stock released, the hold voided (a paid order refunded)',
          )
        }
      />
    </details>
  );
}

function AdjustmentRequest({
  userId,
  currencies,
  busy,
  act,
}: {
  userId: string;
  currencies: string[];
  busy?: boolean | undefined;
  act: Act;
}) {
  if (currencies.length === 0) return null;
  return (
    <ReasonForm
      title="Request a ledger adjustment"
      button="Request the adjustment"
      busy={busy}
      onSubmit={(reason, form) => {
        const currency = String(form.get('currency'));
        const direction = String(form.get('direction'));
        const minor = toMinor(String(form.get('amount')), currency);
        return act(async () => {
          if (!minor) throw new Error('the amount must be a positive number, e.g. 12.50');
          await must(
            backoffice.POST('/api/backoffice/repairs/ledger-adjustments', {
              params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
              body: { userId, currency, amount: direction === 'debit' ? `-${minor}` : minor, reason },
            }),
          );
        }, 'Requested: it posts once another admin approves it on Repairs');
      }}
    >
      <label>
        Currency
        <select name="currency">
          {currencies.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Direction
        <select name="direction">
          <option value="credit">credit the customer</option>
          <option value="debit">debit the customer</option>
        </select>
      </label>
      <label>
        Amount
        <input name="amount" inputMode="decimal" required />
      </label>
    </ReasonForm>
  );
}
