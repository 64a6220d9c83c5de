// Console: anomalies the back office's scheduled rules raised (refund rate, decline rate, per
// currency), filtered by status; an admin acknowledges one (someone is on it) and resolves it.
import { useSearchParams } from 'react-router';
import { backoffice, must } from '../../api/client';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { useSession } from '../../auth/session';
import { ErrorNote, Loading, Page, Table, useLoad } from '../../ui/components';
import { dateTime } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, useAction } from './parts';

type Status = 'open' | 'acknowledged' | 'resolved';
const STATUSES: Status[] = ['open', 'acknowledged', 'resolved'];

export function AdminAnomaliesPage() {
  return (
    <RequireSignIn staff>
      <Anomalies />
    </RequireSignIn>
  );
}

function Anomalies() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') as Status | null) ?? undefined;
  const list = useLoad(
    async () =>
      (
        await must(
          backoffice.GET('/api/backoffice/anomalies', { params: { query: status ? { status } : {} } }),
        )
      ).items,
    [status],
  );
  const { state, run } = useAction();
  const move = (id: string, action: 'acknowledge' | 'resolve') =>
    run(
      () =>
        must(
          action === 'acknowledge'
            ? backoffice.POST('/api/backoffice/anomalies/{id}/acknowledge', { params: { path: { id } } })
            : backoffice.POST('/api/backoffice/anomalies/{id}/resolve', { params: { path: { id } } }),
        ),
      action === 'acknowledge' ? 'Acknowledged' : 'Resolved',
    ).then((ok) => ok && list.reload());
  return (
    <Page title="Anomalies">
      <AdminNav />
      <form className="filters" aria-label="Filter anomalies" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            value={status ?? ''}
            onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      <Outcome state={state} />
      {list.error ? <ErrorNote error={list.error} /> : null}
      {!list.data && !list.error ? <Loading label="Loading the anomalies" /> : null}
      {list.data?.length === 0 ? (
        <p data-testid="no-anomalies">
          Nothing {status ?? 'raised'}: the rules found nothing out of the ordinary.
        </p>
      ) : null}
      {list.data?.length ? (
        <Table
          caption="Anomalies, most recently seen first"
          testId="anomalies"
          columns={['Rule', 'What', 'Seen', 'Status', ...(admin ? ['Action'] : [])]}
        >
          {list.data.map((a) => (
            <tr key={a.id}>
              <td>
                {a.rule} · {a.subject}
              </td>
              <td>
                {a.detail} (value {a.value}, threshold {a.threshold})
              </td>
              <td>
                {dateTime(a.firstSeenAt)} – {dateTime(a.lastSeenAt)}
              </td>
              <td>{a.status}</td>
              {admin ? (
                <td>
                  {a.status === 'open' ? (
                    <button type="button" disabled={state.busy} onClick={() => move(a.id, 'acknowledge')}>
                      Acknowledge
                    </button>
                  ) : null}
                  {a.status !== 'resolved' ? (
                    <button type="button" disabled={state.busy} onClick={() => move(a.id, 'resolve')}>
                      Resolve
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
      ) : null}
    </Page>
  );
}
