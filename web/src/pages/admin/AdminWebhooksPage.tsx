// Console (admin): the shop's webhook endpoints (the notifications service's endpoints of the
// signed-in admin; `shop` scope receives every customer's events), each with its delivery log, a
// test send and a redelivery. The event types offered are those notifications' own API document
// lists, read from it, so the two never disagree.
import { type FormEvent, useEffect, useState } from 'react';
import { must, notifications } from '../../api/client';
import type { paths } from '../../api/generated/notifications';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { ErrorNote, Loading, Page, Table, useLoad } from '../../ui/components';
import { count, dateTime } from '../../ui/format';
import { AdminNav } from './AdminNav';
import { Outcome, useAction } from './parts';

type EventType =
  paths['/api/notifications/webhooks/endpoints']['post']['requestBody']['content']['application/json']['eventTypes'][number];

const POLL_MS = 1000;

export function AdminWebhooksPage() {
  return (
    <RequireSignIn staff>
      <Webhooks />
    </RequireSignIn>
  );
}

async function eventTypes(): Promise<EventType[]> {
  const document = (await (await fetch('/api/notifications/openapi.json')).json()) as {
    paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: unknown }> } } }>;
  };
  const schema = document.paths['/api/notifications/webhooks/endpoints']?.post?.requestBody?.content[
    'application/json'
  ]?.schema as { properties?: { eventTypes?: { items?: { enum?: EventType[] } } } } | undefined;
  return schema?.properties?.eventTypes?.items?.enum ?? ['webhook.test'];
}

function Webhooks() {
  const endpoints = useLoad(
    async () => (await must(notifications.GET('/api/notifications/webhooks/endpoints'))).endpoints,
    [],
  );
  const types = useLoad(eventTypes, []);
  const [secret, setSecret] = useState<string>();
  const [open, setOpen] = useState<string>();
  const { state, run } = useAction();
  const register = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen = form.getAll('eventTypes').map(String) as EventType[];
    void run(async () => {
      const created = await must(
        notifications.POST('/api/notifications/webhooks/endpoints', {
          body: {
            url: String(form.get('url')).trim(),
            eventTypes: chosen,
            description: String(form.get('description')).trim(),
            scope: form.get('scope') === 'shop' ? 'shop' : 'own',
          },
        }),
      );
      setSecret(created.secret);
      setOpen(created.endpoint.id);
      endpoints.reload();
    }, 'Registered');
  };
  return (
    <Page title="Webhooks">
      <AdminNav />
      {endpoints.error ? <ErrorNote error={endpoints.error} /> : null}
      {!endpoints.data && !endpoints.error ? <Loading label="Loading the endpoints" /> : null}
      {endpoints.data?.length === 0 ? <p>No endpoints yet.</p> : null}
      {endpoints.data?.length ? (
        <Table
          caption="Your webhook endpoints"
          testId="endpoints"
          columns={['Endpoint', 'Events', 'Status', 'Deliveries']}
        >
          {endpoints.data.map((e) => (
            <tr key={e.id}>
              <td>
                <code>{e.url}</code>
                {e.description ? <div className="muted small">{e.description}</div> : null}
              </td>
              <td>
                {e.eventTypes.join(', ')} ({e.scope === 'shop' ? 'every customer' : 'yours'})
              </td>
              <td>
                {e.status}
                {e.disabledReason ? ` — ${e.disabledReason}` : ''}
                {e.failingSince ? ` (failing since ${dateTime(e.failingSince)})` : ''}
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setOpen(open === e.id ? undefined : e.id)}
                >
                  {open === e.id ? 'Hide' : 'Show'} deliveries of {e.url}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {secret ? (
        <p className="notice" role="status">
          Signing secret (shown only now): <code data-testid="webhook-secret">{secret}</code>
        </p>
      ) : null}
      {open ? <Deliveries endpointId={open} /> : null}
      <form className="stack narrow" onSubmit={register} aria-labelledby="register-title">
        <h2 id="register-title">Register an endpoint</h2>
        <label>
          URL (https)
          <input name="url" type="url" required />
        </label>
        <label>
          Description
          <input name="description" maxLength={200} />
        </label>
        <label>
          Whose events
          <select name="scope" defaultValue="shop">
            <option value="shop">every customer's (the shop)</option>
            <option value="own">yours only</option>
          </select>
        </label>
        <fieldset>
          <legend>Event types</legend>
          {types.data?.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" name="eventTypes" value={t} /> {t}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={state.busy}>
          Register
        </button>
      </form>
      <Outcome state={state} />
    </Page>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const path = { params: { path: { id: endpointId } } };
  const list = useLoad(
    async () =>
      (await must(notifications.GET('/api/notifications/webhooks/endpoints/{id}/deliveries', path)))
        .deliveries,
    [endpointId],
  );
  const { state, run } = useAction();
  const act = (work: () => Promise<unknown>, message: string) =>
    run(work, message).then((ok) => ok && list.reload());
  // While one is still being sent (or retried), the log reloads itself.
  const pending = list.data?.some((d) => d.status === 'pending');
  const { reload } = list;
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, reload]);
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <div className="row">
        <button
          type="button"
          disabled={state.busy}
          onClick={() =>
            act(
              () => must(notifications.POST('/api/notifications/webhooks/endpoints/{id}/test', path)),
              'A webhook.test event is on its way',
            )
          }
        >
          Send a test event
        </button>
        <button type="button" disabled={list.loading} onClick={list.reload}>
          Reload
        </button>
      </div>
      <Outcome state={state} />
      {list.error ? <ErrorNote error={list.error} /> : null}
      {list.data?.length === 0 ? <p>Nothing delivered yet.</p> : null}
      {list.data?.length ? (
        <Table
          caption="Deliveries to this endpoint, newest first"
          testId="deliveries"
          columns={['Event', 'Status', 'Last attempt', 'Again']}
        >
          {list.data.map((d) => (
            <tr key={d.id}>
              <td>
                {d.eventType} · {dateTime(d.createdAt)}
              </td>
              <td>
                {d.status}, {count(d.attempts, 'attempt')}
              </td>
              <td>
                {d.lastStatusCode ?? '—'}
                {d.lastLatencyMs !== null ? ` in ${d.lastLatencyMs} ms` : ''}
                {d.lastError ? ` — ${d.lastError}` : ''}
              </td>
              <td>
                {d.status !== 'pending' ? (
                  <button
                    type="button"
                    disabled={state.busy}
                    aria-label={`Send ${d.eventType} of ${dateTime(d.createdAt)} again`}
                    onClick={() =>
                      act(
                        () =>
                          must(
                            notifications.POST('/api/notifications/webhooks/deliveries/{id}/replay', {
                              params: { path: { id: d.id } },
                            }),
                          ),
                        'Sent again, with the same webhook-id',
                      )
                    }
                  >
                    Send again
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </section>
  );
}
