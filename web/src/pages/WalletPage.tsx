// The wallet: balance per currency, the statement, a top-up through the shop's payment provider
// (the sandbox's test cards locally) and a transfer to another customer.
import { type FormEvent, useState } from 'react';
import { must, newIdempotencyKey, payments } from '../api/client';
import type { AccountView, ProviderPaymentView, StatementEntry, TransferView } from '../api/views';
import { RequireSignIn } from '../auth/RequireSignIn';
import { useSession } from '../auth/session';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { dateTime, money, reasonText, toMinor } from '../ui/format';

const CURRENCY = 'EUR';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function WalletPage() {
  return (
    <RequireSignIn>
      <Wallet />
    </RequireSignIn>
  );
}

function Wallet() {
  const accounts = useLoad(
    async () =>
      ((await must(payments.GET('/api/payments/accounts'))) as unknown as { accounts: AccountView[] })
        .accounts,
    [],
  );
  if (accounts.error) return <ErrorNote error={accounts.error} />;
  if (!accounts.data) return <Loading label="Loading the wallet" />;
  const account = accounts.data.find((a) => a.currency === CURRENCY);
  return (
    <Page title="Wallet">
      <dl className="balance" data-testid="balance">
        <dt>Balance</dt>
        <dd>{money(account?.balance ?? 0, CURRENCY)}</dd>
        <dt>Held for orders</dt>
        <dd>{money(account?.held ?? 0, CURRENCY)}</dd>
        <dt>Available</dt>
        <dd data-testid="available">{money(account?.available ?? 0, CURRENCY)}</dd>
      </dl>
      <div className="columns">
        <TopUp onDone={accounts.reload} />
        <Transfer onDone={accounts.reload} />
      </div>
      {account ? (
        <Statement accountId={account.id} version={account.balance} />
      ) : (
        <p>No movements yet: a top-up opens the wallet.</p>
      )}
    </Page>
  );
}

function TopUp({ onDone }: { onDone: () => void }) {
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: unknown }>({});
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amount = toMinor(String(form.get('amount')), CURRENCY);
    if (!amount) return setState({ message: 'Enter an amount such as 25.00' });
    setState({ busy: true, message: 'Waiting for the payment provider…' });
    try {
      let payment = (await must(
        payments.POST('/api/payments/topups', {
          params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
          body: { currency: CURRENCY, amount, source: String(form.get('source')) },
        }),
      )) as unknown as ProviderPaymentView;
      // The provider confirms by webhook; the top-up completes when it has.
      for (let i = 0; i < 60 && !['completed', 'declined', 'timed_out'].includes(payment.status); i++) {
        await wait(500);
        payment = (await must(
          payments.GET('/api/payments/topups/{id}', { params: { path: { id: payment.id } } }),
        )) as unknown as ProviderPaymentView;
      }
      setState({
        message:
          payment.status === 'completed'
            ? `Topped up ${money(payment.amount, payment.currency)}`
            : `Top-up ${payment.status}${payment.failureReason ? `: ${reasonText(payment.failureReason)}` : ''}`,
      });
      onDone();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="topup-title">
      <h2 id="topup-title">Top up</h2>
      <label>
        Amount ({CURRENCY})
        <input name="amount" inputMode="decimal" required placeholder="25.00" />
      </label>
      <label>
        Card
        <select name="source" defaultValue="tok_visa">
          <option value="tok_visa">Test card that pays (tok_visa)</option>
          <option value="tok_decline">Test card that is declined (tok_decline)</option>
        </select>
      </label>
      <button type="submit" disabled={state.busy}>
        Top up
      </button>
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </form>
  );
}

function Transfer({ onDone }: { onDone: () => void }) {
  const { me } = useSession();
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: unknown }>({});
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amount = toMinor(String(form.get('amount')), CURRENCY);
    if (!amount) return setState({ message: 'Enter an amount such as 5.00' });
    setState({ busy: true });
    try {
      const transfer = (await must(
        payments.POST('/api/payments/transfers', {
          params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
          body: { toUserId: String(form.get('to')).trim(), currency: CURRENCY, amount },
        }),
      )) as unknown as TransferView;
      setState({
        message: `Transfer ${transfer.status}: ${money(transfer.amount, transfer.currency)} (fee ${money(transfer.fee, transfer.currency)})${transfer.failureReason ? `, ${reasonText(transfer.failureReason)}` : ''}`,
      });
      onDone();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="transfer-title">
      <h2 id="transfer-title">Send money</h2>
      <label>
        Recipient's customer number
        <input name="to" required autoComplete="off" />
      </label>
      <p className="muted small">Yours is {me?.id}: share it to receive money.</p>
      <label>
        Amount ({CURRENCY})
        <input name="amount" inputMode="decimal" required placeholder="5.00" />
      </label>
      <button type="submit" disabled={state.busy}>
        Send
      </button>
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </form>
  );
}

function Statement({ accountId, version }: { accountId: string; version: string }) {
  const statement = useLoad(
    async () =>
      (await must(
        payments.GET('/api/payments/accounts/{accountId}/statement', {
          params: { path: { accountId }, query: { limit: 50 } },
        }),
      )) as unknown as { entries: StatementEntry[] },
    [accountId, version],
  );
  return (
    <>
      <h2>Statement</h2>
      <ErrorNote error={statement.error} />
      <table className="table">
        <caption className="sr-only">Movements of the wallet, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Amount</th>
            <th scope="col">Balance</th>
          </tr>
        </thead>
        <tbody>
          {statement.data?.entries.map((entry) => (
            <tr key={entry.seq}>
              <td>{dateTime(entry.at)}</td>
              <td>
                {entry.kind.replaceAll('_', ' ')}
                {entry.outcome !== 'applied' && entry.outcome ? ` (${entry.outcome})` : ''}
                {entry.reason ? ` — ${reasonText(entry.reason)}` : ''}
              </td>
              <td>{money(entry.amount, CURRENCY)}</td>
              <td>{money(entry.balance, CURRENCY)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
