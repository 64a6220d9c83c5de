// The account: profile, password, two-factor sign-in (QR code, then recovery codes, shown once),
// and the open sessions (one per sign-in), each of which can be signed out from here.
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { must, users } from '../api/client';
import { writeSession } from '../api/session-store';
import { RequireSignIn } from '../auth/RequireSignIn';
import { signInPath, useSession } from '../auth/session';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { dateTime } from '../ui/format';

export function AccountPage() {
  return (
    <RequireSignIn>
      <Account />
    </RequireSignIn>
  );
}

type Result = { busy?: boolean; message?: string; error?: unknown };

function Account() {
  const { me, refreshMe } = useSession();
  const [profile, setProfile] = useState<Result>({});
  if (!me) return null;
  const saveProfile = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const phone = String(new FormData(event.currentTarget).get('phone')).trim();
    setProfile({ busy: true });
    try {
      await must(users.PATCH('/api/users/me', { body: { phone: phone || null } }));
      await refreshMe();
      setProfile({ message: 'Saved' });
    } catch (error) {
      setProfile({ error });
    }
  };
  return (
    <Page title="Account">
      <dl className="facts">
        <dt>Email</dt>
        <dd>
          {me.email}{' '}
          {me.emailVerified ? '(confirmed)' : '(not confirmed yet: follow the link we emailed you)'}
        </dd>
        <dt>Role</dt>
        <dd>{me.role}</dd>
        <dt>Customer number</dt>
        <dd>
          <code>{me.id}</code>
        </dd>
      </dl>
      <p>
        <Link to="/account/notifications">Notification preferences</Link>
      </p>
      <form className="stack narrow" onSubmit={saveProfile} aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <label>
          Phone (international, e.g. +4915112345678)
          <input name="phone" type="tel" defaultValue={me.phone ?? ''} pattern="\+[1-9]\d{6,14}" />
        </label>
        <button type="submit" disabled={profile.busy}>
          Save profile
        </button>
        {profile.message ? <p role="status">{profile.message}</p> : null}
        <ErrorNote error={profile.error} />
      </form>
      <Sessions />
      <PasswordForm />
      <TwoFactor enabled={me.twoFactorEnabled} onChange={refreshMe} />
    </Page>
  );
}

function PasswordForm() {
  const [state, setState] = useState<Result>({});
  const navigate = useNavigate();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setState({ busy: true });
    try {
      await must(
        users.POST('/api/users/me/password', {
          body: { currentPassword: String(form.get('current')), newPassword: String(form.get('new')) },
        }),
      );
      // Every session ended, this one too: sign in with the new password.
      writeSession(null);
      navigate(signInPath('/account'));
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <form className="stack narrow" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <label>
        Current password
        <input name="current" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password (at least 10 characters)
        <input name="new" type="password" autoComplete="new-password" minLength={10} required />
      </label>
      <p className="muted small">Changing it signs you out everywhere.</p>
      <button type="submit" disabled={state.busy}>
        Change password
      </button>
      <ErrorNote error={state.error} />
    </form>
  );
}

function TwoFactor({ enabled, onChange }: { enabled: boolean; onChange: () => Promise<void> }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string }>();
  const [codes, setCodes] = useState<string[]>();
  const [state, setState] = useState<Result>({});
  const run = async (work: () => Promise<void>) => {
    setState({ busy: true });
    try {
      await work();
      setState({});
    } catch (error) {
      setState({ error });
    }
  };
  const start = () =>
    run(async () => {
      const reply = (await must(users.POST('/api/users/me/two-factor/enroll'))) as unknown as {
        secret: string;
        otpauthUrl: string;
      };
      // The QR code is drawn here, in the browser: the secret never goes to a third party.
      const { toDataURL } = await import('qrcode');
      setEnrolment({
        secret: reply.secret,
        qr: await toDataURL(reply.otpauthUrl, { margin: 1, width: 200 }),
      });
    });
  const confirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code')).trim();
    return run(async () => {
      const reply = await must(users.POST('/api/users/me/two-factor/confirm', { body: { code } }));
      setCodes((reply as unknown as { recoveryCodes: string[] }).recoveryCodes);
      setEnrolment(undefined);
      await onChange();
    });
  };
  const disable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    return run(async () => {
      await must(
        users.POST('/api/users/me/two-factor/disable', {
          body: { password: String(form.get('password')), code: String(form.get('code')).trim() },
        }),
      );
      await onChange();
    });
  };
  return (
    <div className="stack narrow">
      <h2>Two-factor sign-in</h2>
      {codes ? (
        <div role="status">
          <p>
            Two-factor sign-in is on. Keep these recovery codes somewhere safe; each works once, and they are
            shown only now:
          </p>
          <ul className="codes" data-testid="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {enabled && !codes ? (
        <form className="stack" onSubmit={disable}>
          <p>Two-factor sign-in is on.</p>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <label>
            Code or recovery code
            <input name="code" autoComplete="one-time-code" required />
          </label>
          <button type="submit" disabled={state.busy}>
            Turn two-factor sign-in off
          </button>
        </form>
      ) : null}
      {!enabled && !enrolment ? (
        <button type="button" onClick={start} disabled={state.busy}>
          Set up two-factor sign-in
        </button>
      ) : null}
      {enrolment ? (
        <form className="stack" onSubmit={confirm}>
          <p>Scan this code with an authenticator app, or type the key in by hand.</p>
          <img
            src={enrolment.qr}
            width={200}
            height={200}
            alt="QR code of the two-factor secret"
            data-testid="totp-qr"
          />
          <p>
            Key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <label>
            Code shown by the app
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required />
          </label>
          <button type="submit" disabled={state.busy}>
            Turn on
          </button>
        </form>
      ) : null}
      <ErrorNote error={state.error} />
    </div>
  );
}

/** "Firefox on Android" from a User-Agent, roughly: enough to tell one's devices apart. */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'An unknown device';
  const browser =
    [
      ['Edg/', 'Edge'],
      ['Firefox/', 'Firefox'],
      ['Chrome/', 'Chrome'],
      ['Safari/', 'Safari'],
      ['curl/', 'curl'],
    ].find(([token]) => userAgent.includes(token!))?.[1] ?? userAgent.split(/[ /]/)[0];
  const system = [
    ['Android', 'Android'],
    ['iPhone', 'iOS'],
    ['iPad', 'iPadOS'],
    ['Windows', 'Windows'],
    ['Mac OS X', 'macOS'],
    ['Linux', 'Linux'],
  ].find(([token]) => userAgent.includes(token!))?.[1];
  return system ? `${browser} on ${system}` : `${browser}`;
}

function Sessions() {
  const { signOut } = useSession();
  const navigate = useNavigate();
  const list = useLoad(() => must(users.GET('/api/users/me/sessions')), []);
  const [state, setState] = useState<Result>({});
  const end = async (session: { id: string; current: boolean }, device: string) => {
    setState({ busy: true });
    try {
      if (session.current) {
        await signOut();
        navigate('/sign-in');
        return;
      }
      await must(users.DELETE('/api/users/me/sessions/{id}', { params: { path: { id: session.id } } }));
      setState({ message: `Signed out: ${device}` });
      list.reload();
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <section className="stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      {list.error ? <ErrorNote error={list.error} /> : null}
      {!list.data && !list.error ? <Loading label="Loading your sessions" /> : null}
      {list.data ? (
        <ul className="sessions" data-testid="sessions">
          {list.data.sessions.map((session) => {
            const device = deviceOf(session.userAgent);
            return (
              <li key={session.id}>
                <div>
                  <strong>{device}</strong>
                  {session.current ? <span className="badge">this device</span> : null}
                  <div className="muted small">
                    Signed in {dateTime(session.createdAt)}
                    {session.ip ? ` from ${session.ip}` : ''} · last active{' '}
                    {dateTime(session.lastRefreshedAt)}
                  </div>
                </div>
                <button
                  type="button"
                  disabled={state.busy}
                  aria-label={`Sign out ${session.current ? 'this device' : `${device}, signed in ${dateTime(session.createdAt)}`}`}
                  onClick={() => end(session, device)}
                >
                  Sign out
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </section>
  );
}
