// Console: one user, with block / unblock (a reason is recorded in the audit log) and the role, and
// the way to the one-customer view (where the email is confirmed by hand and the repairs are).
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { must, users } from '../../api/client';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { useSession } from '../../auth/session';
import { ErrorNote, Loading, Page, useLoad } from '../../ui/components';
import { dateTime } from '../../ui/format';
import { AdminNav } from './AdminNav';

type Role = 'customer' | 'support' | 'admin';

export function AdminUserPage() {
  return (
    <RequireSignIn staff>
      <AdminUser />
    </RequireSignIn>
  );
}

function AdminUser() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const user = useLoad(() => must(users.GET('/api/users/{id}', { params: { path: { id } } })), [id]);
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: unknown }>({});
  const run = async (work: () => Promise<unknown>, message: string) => {
    setState({ busy: true });
    try {
      await work();
      setState({ message });
      user.reload();
    } catch (error) {
      setState({ error });
    }
  };
  const path = { params: { path: { id } } };
  const block = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason')).trim();
    return run(
      () => must(users.POST('/api/users/admin/users/{id}/block', { ...path, body: { reason } })),
      'Blocked: every session of the user has ended',
    );
  };
  const setRole = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const role = String(new FormData(event.currentTarget).get('role')) as Role;
    return run(
      () => must(users.PUT('/api/users/admin/users/{id}/role', { ...path, body: { role } })),
      `Role set to ${role}`,
    );
  };

  if (user.error) return <ErrorNote error={user.error} />;
  const u = user.data;
  if (!u) return <Loading label="Loading the user" />;
  const admin = me?.role === 'admin';
  return (
    <Page title={u.email}>
      <AdminNav />
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{u.id}</code>
        </dd>
        <dt>Role</dt>
        <dd>{u.role}</dd>
        <dt>Status</dt>
        <dd data-testid="user-status">{u.deleted ? 'deleted' : u.blocked ? 'blocked' : 'active'}</dd>
        <dt>Email confirmed</dt>
        <dd>{u.emailVerified ? 'yes' : 'no'}</dd>
        <dt>Two-factor sign-in</dt>
        <dd>{u.twoFactorEnabled ? 'on' : 'off'}</dd>
        <dt>Phone</dt>
        <dd>{u.phone ?? '—'}</dd>
        <dt>Since</dt>
        <dd>{dateTime(u.createdAt)}</dd>
      </dl>
      <p>
        <Link to={`/admin/customers/${u.id}`}>One-customer view</Link>: orders with their checkout, wallet,
        sessions, messages, audit trail, and the repairs.
      </p>
      {admin && !u.deleted ? (
        <div className="columns">
          {u.blocked ? (
            <div className="stack">
              <h2>Unblock</h2>
              <button
                type="button"
                disabled={state.busy}
                onClick={() =>
                  run(() => must(users.POST('/api/users/admin/users/{id}/unblock', path)), 'Unblocked')
                }
              >
                Unblock {u.email}
              </button>
            </div>
          ) : (
            <form className="stack" onSubmit={block} aria-labelledby="block-title">
              <h2 id="block-title">Block</h2>
              <label>
                Reason (kept in the audit log)
                <input name="reason" required maxLength={500} />
              </label>
              <button type="submit" disabled={state.busy || u.id === me?.id}>
                Block the user
              </button>
            </form>
          )}
          <form className="stack" onSubmit={setRole} aria-labelledby="role-title">
            <h2 id="role-title">Role</h2>
            <label>
              Role
              <select name="role" defaultValue={u.role}>
                <option value="customer">customer</option>
                <option value="support">support</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <button type="submit" disabled={state.busy || u.id === me?.id}>
              Change role
            </button>
          </form>
        </div>
      ) : null}
      {!admin ? <p className="muted">Support can look; blocking and roles are for admins.</p> : null}
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </Page>
  );
}
