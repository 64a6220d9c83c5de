// Console: reports. An admin requests one (a job in the back office's worker); the list shows each
// one's progress and ETA while it runs, reloading until none is left running, and its files once
// done. Files need the session's token, so they download through the app rather than a bare link.
import { type FormEvent, useEffect, useRef } from 'react';
import { backoffice, downloadWithToken, must, newIdempotencyKey } from '../../api/client';
import type { paths } from '../../api/generated/backoffice';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { useSession } from '../../auth/session';
import { ErrorNote, Loading, Page, Table, useLoad } from '../../ui/components';
import { dateTime } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, useAction } from './parts';

type Report =
  paths['/api/backoffice/reports']['get']['responses'][200]['content']['application/json']['items'][number];
type Kind = paths['/api/backoffice/reports']['post']['requestBody']['content']['application/json']['kind'];
/** Every kind the API takes (a kind it gains fails the type check here until it has its words). */
const KINDS: Record<Kind, string> = {
  sales: 'Sales: orders, units and revenue per category and product',
  finance: 'Finance: captures, refunds, cashback, chargebacks, top-ups, withdrawals, fees, holds',
  customers: 'Customers: active and new buyers per day',
  repairs: 'Repairs: what was corrected, by whom and why',
};
const POLL_MS = 1000;

export function AdminReportsPage() {
  return (
    <RequireSignIn staff>
      <Reports />
    </RequireSignIn>
  );
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

function Reports() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const list = useLoad(async () => (await must(backoffice.GET('/api/backoffice/reports'))).items, []);
  const { state, run } = useAction();
  // One key per request attempt: a retried submit of the same attempt is the same report.
  const requestKey = useRef(newIdempotencyKey());
  const unfinished = list.data?.some((r) => r.status === 'queued' || r.status === 'running');
  const { reload } = list;
  useEffect(() => {
    if (!unfinished) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [unfinished, reload]);

  const request = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      await must(
        backoffice.POST('/api/backoffice/reports', {
          params: { header: { 'Idempotency-Key': requestKey.current } },
          body: {
            kind: String(form.get('kind')) as Kind,
            from: String(form.get('from')),
            to: String(form.get('to')),
          },
        }),
      );
      requestKey.current = newIdempotencyKey();
      list.reload();
    }, 'Requested: it appears below and runs in the back office');
  };
  const download = (report: Report, format: 'csv' | 'json') =>
    run(
      () =>
        downloadWithToken(
          `/api/backoffice/reports/${report.id}/download?format=${format}`,
          `${String(report.params.kind)}-${String(report.params.from)}-${String(report.params.to)}.${format}`,
        ),
      `Downloaded the ${format.toUpperCase()} file`,
    );

  return (
    <Page title="Reports">
      <AdminNav />
      {admin ? (
        <form className="filters" onSubmit={request} aria-label="Request a report">
          <label>
            Report
            <select name="kind">
              {Object.entries(KINDS).map(([kind, words]) => (
                <option key={kind} value={kind}>
                  {words}
                </option>
              ))}
            </select>
          </label>
          <label>
            From (UTC day)
            <input name="from" type="date" required defaultValue={daysAgo(30)} />
          </label>
          <label>
            To (UTC day, included)
            <input name="to" type="date" required defaultValue={today()} />
          </label>
          <button type="submit" disabled={state.busy}>
            Request the report
          </button>
        </form>
      ) : (
        <p className="muted">Support can read and download reports; admins request them.</p>
      )}
      <Outcome state={state} />
      {list.error ? <ErrorNote error={list.error} /> : null}
      {!list.data && !list.error ? <Loading label="Loading the reports" /> : null}
      {list.data?.length === 0 ? <p>No reports yet.</p> : null}
      {list.data?.length ? (
        <Table
          caption="Reports, newest first"
          testId="reports"
          columns={['Report', 'Requested', 'Progress', 'Files']}
        >
          {list.data.map((r) => (
            <tr key={r.id}>
              <td>
                {String(r.params.kind)} · {String(r.params.from)} to {String(r.params.to)}
              </td>
              <td>{dateTime(r.createdAt)}</td>
              <td data-testid="report-status">
                {r.status}
                {r.status === 'running' || r.status === 'queued'
                  ? ` · ${Math.round(r.progress.percent)}%${r.progress.etaSeconds !== null ? `, about ${Math.ceil(r.progress.etaSeconds)} s left` : ''}`
                  : ''}
                {r.lastError ? ` — ${r.lastError}` : ''}
                {r.status === 'running' || r.status === 'queued' ? (
                  <progress max={100} value={r.progress.percent} aria-label="Progress" />
                ) : null}
              </td>
              <td>
                {r.files.map((f) => (
                  <button
                    key={f.format}
                    type="button"
                    className="link"
                    onClick={() => download(r, f.format)}
                    aria-label={`Download ${String(r.params.kind)} ${String(r.params.from)} to ${String(r.params.to)} as ${f.format.toUpperCase()}`}
                  >
                    {f.format.toUpperCase()} ({Math.ceil(f.bytes / 1024)} KB)
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Page>
  );
}
