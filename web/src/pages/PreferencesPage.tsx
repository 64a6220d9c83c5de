// Notification preferences: language and the opt-ins per category and channel (transactional email,
// such as receipts and security notices, cannot be switched off).
import { useState } from 'react';
import { must, notifications } from '../api/client';
import type { paths } from '../api/generated/notifications';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';

type Preferences =
  paths['/api/notifications/preferences']['get']['responses'][200]['content']['application/json'];
type OptIn = NonNullable<
  NonNullable<
    paths['/api/notifications/preferences']['put']['requestBody']
  >['content']['application/json']['optIns']
>[number];

export function PreferencesPage() {
  return (
    <RequireSignIn>
      <PreferencesForm />
    </RequireSignIn>
  );
}

function PreferencesForm() {
  const prefs = useLoad(() => must(notifications.GET('/api/notifications/preferences')), []);
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: unknown }>({});
  const save = async (body: { locale?: Preferences['locale']; optIns?: OptIn[] }) => {
    setState({ busy: true });
    try {
      await must(notifications.PUT('/api/notifications/preferences', { body }));
      setState({ message: 'Saved' });
      prefs.reload();
    } catch (error) {
      setState({ error });
    }
  };
  if (prefs.error) return <ErrorNote error={prefs.error} />;
  if (!prefs.data) return <Loading label="Loading preferences" />;
  const data = prefs.data;
  return (
    <Page title="Notification preferences">
      <label>
        Language of messages
        <select
          value={data.locale}
          disabled={state.busy}
          onChange={(e) => save({ locale: e.target.value as Preferences['locale'] })}
        >
          <option value="en">English</option>
          <option value="ru">Русский</option>
        </select>
      </label>
      <table className="table">
        <caption>What we may send you</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            {data.categories[0]?.channels.map((c) => (
              <th scope="col" key={c.channel}>
                {c.channel}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.categories.map((category) => (
            <tr key={category.category}>
              <th scope="row">
                {category.category.replaceAll('_', ' ')}
                {category.transactional ? <span className="muted small"> (always by email)</span> : null}
              </th>
              {category.channels.map((c) => (
                <td key={c.channel}>
                  <input
                    type="checkbox"
                    aria-label={`${category.category.replaceAll('_', ' ')} by ${c.channel}`}
                    checked={c.enabled}
                    disabled={state.busy || !c.adjustable}
                    onChange={(e) =>
                      save({
                        optIns: [
                          { category: category.category, channel: c.channel, enabled: e.target.checked },
                        ],
                      })
                    }
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </Page>
  );
}
