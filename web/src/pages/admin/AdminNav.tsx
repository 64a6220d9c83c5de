// The console's own menu: only what the platform's APIs offer. Support sees the read-only parts;
// the ledger's reconciliation and the shop's webhooks are admin-only APIs, so only admins see them.
import { NavLink } from 'react-router';
import { useSession } from '../../auth/session';

export function AdminNav() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const items: [string, string][] = [
    ['/admin', 'Users'],
    ['/admin/repairs', 'Repairs'],
    ['/admin/reports', 'Reports'],
    ['/admin/anomalies', 'Anomalies'],
    ...(admin
      ? ([
          ['/admin/ledger', 'Ledger'],
          ['/admin/webhooks', 'Webhooks'],
        ] as [string, string][])
      : []),
    ['/admin/observability', 'Observability'],
  ];
  return (
    <nav aria-label="Console" className="subnav">
      <ul>
        {items.map(([to, name]) => (
          <li key={to}>
            <NavLink to={to} end>
              {name}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
