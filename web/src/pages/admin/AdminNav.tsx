// The console's own menu. Only what the platform's APIs offer today is listed; pages of the back
// office (reports, anomalies, the one-customer view, repairs) join it as their APIs land.
import { NavLink } from 'react-router';

export function AdminNav() {
  return (
    <nav aria-label="Console" className="subnav">
      <ul>
        <li>
          <NavLink to="/admin" end>
            Users
          </NavLink>
        </li>
        <li>
          <NavLink to="/admin/observability">Observability</NavLink>
        </li>
      </ul>
    </nav>
  );
}
