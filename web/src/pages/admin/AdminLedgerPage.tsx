// Console (admin): the ledger's reconciliation. Payments recomputes every balance from its journal
// on demand and reports per currency the difference (0: every balance equals its journal) and the
// imbalance (the sum of all balances: 0 when no movement is in flight), and the accounts in trouble.

import { useState } from 'react';
import { must, payments } from '../../api/client';
import type { ReconciliationView } from '../../api/views';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { Page, Table } from '../../ui/components';
import { dateTime, money } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, useAction } from './parts';

export function AdminLedgerPage() {
  return (
    <RequireSignIn staff>
      <Ledger />
    </RequireSignIn>
  );
}

function Ledger() {
  const [report, setReport] = useState<{ at: string; view: ReconciliationView }>();
  const { state, run } = useAction();
  const reconcile = () =>
    run(async () => {
      const view = (await must(
        payments.POST('/api/payments/admin/reconciliation'),
      )) as unknown as ReconciliationView;
      setReport({ at: new Date().toISOString(), view });
    }, 'Reconciled');
  const currencies = report
    ? [...new Set([...Object.keys(report.view.difference), ...Object.keys(report.view.imbalance)])]
    : [];
  return (
    <Page title="Ledger">
      <AdminNav />
      <p>Recompute every balance from the journal and compare it with the recorded one.</p>
      <button type="button" className="primary" disabled={state.busy} onClick={reconcile}>
        Reconcile now
      </button>
      <Outcome state={state} />
      {report ? (
        <div data-testid="reconciliation">
          <p className={report.view.problems === 0 ? 'ok' : 'error-text'}>
            {report.view.problems === 0
              ? `Consistent: ${report.view.accounts} accounts, every balance equals its journal`
              : `${report.view.problems} problems in ${report.view.accounts} accounts`}{' '}
            ({dateTime(report.at)})
          </p>
          <Table caption="Per currency" showCaption columns={['Currency', 'Difference', 'Sum of balances']}>
            {currencies.map((c) => (
              <tr key={c}>
                <td>{c}</td>
                <td>{money(report.view.difference[c] ?? 0, c)}</td>
                <td>{money(report.view.imbalance[c] ?? 0, c)}</td>
              </tr>
            ))}
          </Table>
          {report.view.details.length ? (
            <ul className="list">
              {report.view.details.map((d) => (
                <li key={`${d.accountId}${d.problem}`}>
                  <code>{d.accountId}</code>: {d.problem}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </Page>
  );
}
