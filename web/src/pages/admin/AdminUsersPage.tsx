// Console: search users by email, filter by role and status, page through them.
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { must, users } from '../../api/client';
import type { paths } from '../../api/generated/users';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { ErrorNote, Loading, Page } from '../../ui/components';
import { dateTime } from '../../ui/format';
import { AdminNav } from './AdminNav';

type Query = NonNullable<paths['/api/users/admin/users']['get']['parameters']['query']>;
type Listed =
  paths['/api/users/admin/users']['get']['responses'][200]['content']['application/json']['users'][number];

export function AdminUsersPage() {
  return (
    <RequireSignIn staff>
      <AdminUsers />
    </RequireSignIn>
  );
}

function AdminUsers() {
  const [params, setParams] = useSearchParams();
  const [rows, setRows] = useState<Listed[]>();
  const [cursor, setCursor] = useState<string | null>();
  const [error, setError] = useState<unknown>();
  const key = params.toString();

  const load = async (after?: string) => {
    const query: Query = { limit: 25 };
    const q = params.get('q');
    if (q) query.query = q;
    const role = params.get('role') as Query['role'] | null;
    if (role) query.role = role;
    const status = params.get('status') as Query['status'] | null;
    if (status) query.status = status;
    if (after) query.cursor = after;
    try {
      const page = await must(users.GET('/api/users/admin/users', { params: { query } }));
      setRows((previous) => [...(after ? (previous ?? []) : []), ...page.users]);
      setCursor(page.nextCursor ?? null);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the search changes
  useEffect(() => {
    void load();
  }, [key]);

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ['q', 'role', 'status']) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    setParams(next);
  };
  return (
    <Page title="Users">
      <AdminNav />
      <form className="filters" onSubmit={search} aria-label="Search users">
        <label>
          Email contains
          <input name="q" type="search" defaultValue={params.get('q') ?? ''} />
        </label>
        <label>
          Role
          <select name="role" defaultValue={params.get('role') ?? ''}>
            <option value="">Any</option>
            <option value="customer">customer</option>
            <option value="support">support</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={params.get('status') ?? ''}>
            <option value="">Any</option>
            <option value="active">active</option>
            <option value="blocked">blocked</option>
            <option value="deleted">deleted</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      {!rows && !error ? <Loading label="Loading users" /> : null}
      {rows ? (
        <table className="table">
          <caption className="sr-only">Users, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link to={`/admin/users/${u.id}`}>{u.email}</Link>
                </td>
                <td>{u.role}</td>
                <td>
                  {u.deleted
                    ? 'deleted'
                    : u.blocked
                      ? 'blocked'
                      : u.emailVerified
                        ? 'active'
                        : 'active (email not confirmed)'}
                </td>
                <td>{dateTime(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => load(cursor)}>
          More users
        </button>
      ) : null}
    </Page>
  );
}
