// Console: where the shop's dashboards, traces and metrics are. The addresses come from the web
// service's configuration (/config.json), since they differ per shop.

import { RequireSignIn } from '../../auth/RequireSignIn';
import { Page, useLoad } from '../../ui/components';
import { AdminNav } from './AdminNav';

interface SiteConfig {
  links: { grafana?: string; jaeger?: string; prometheus?: string; zipkin?: string };
}

export function AdminLinksPage() {
  return (
    <RequireSignIn staff>
      <Links />
    </RequireSignIn>
  );
}

function Links() {
  const config = useLoad(async () => (await (await fetch('/config.json')).json()) as SiteConfig, []);
  const links = config.data?.links ?? {};
  const rows: { name: string; url?: string; what: string }[] = [
    { name: 'Grafana', url: links.grafana, what: 'Dashboards of the services, the edge and the saga' },
    { name: 'Jaeger', url: links.jaeger, what: 'Traces of requests through the edge and the services' },
    { name: 'Prometheus', url: links.prometheus, what: 'Metrics, alerts and their rules' },
    // Only where Jaeger has no UI page of its own (the local platform): the same traces, in Zipkin's UI.
    ...(links.zipkin
      ? [
          {
            name: 'Zipkin',
            url: links.zipkin,
            what: 'The same traces in Zipkin’s UI (search, one trace’s timeline)',
          },
        ]
      : []),
  ];
  return (
    <Page title="Observability">
      <AdminNav />
      <ul className="list">
        {rows.map((row) => (
          <li key={row.name}>
            {row.url ? (
              <a href={row.url} target="_blank" rel="noreferrer">
                {row.name}
              </a>
            ) : (
              <span>{row.name} (not configured for this shop)</span>
            )}{' '}
            — {row.what}
          </li>
        ))}
      </ul>
    </Page>
  );
}
