// Sign in (and the second step when two-factor sign-in is on), then back to where the person was.
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../auth/session';
import { ErrorNote, Page } from '../ui/components';

/** Only paths of this app, never another site: `next` comes from the address bar. */
const safeNext = (next: string | null) => (next?.startsWith('/') && !next.startsWith('//') ? next : '/');

export function SignInPage() {
  const { signIn, secondFactor } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [challenge, setChallenge] = useState<string>();
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const next = safeNext(params.get('next'));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setState({ busy: true });
    try {
      if (challenge) {
        await secondFactor(challenge, String(form.get('code')).trim());
      } else {
        const result = await signIn(String(form.get('email')), String(form.get('password')));
        if (!result.done) {
          setChallenge(result.challengeToken);
          setState({});
          return;
        }
      }
      navigate(next, { replace: true });
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <Page title="Sign in">
      {params.get('reason') === 'expired' ? (
        <p role="alert" className="notice">
          Your session has ended. Sign in again to go on; your cart is kept.
        </p>
      ) : null}
      <form className="stack narrow" onSubmit={submit}>
        {challenge ? (
          <label>
            Code from your authenticator app (or a recovery code)
            <input name="code" autoComplete="one-time-code" required />
          </label>
        ) : (
          <>
            <label>
              Email
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        )}
        <button type="submit" className="primary" disabled={state.busy}>
          {challenge ? 'Verify' : 'Sign in'}
        </button>
        <ErrorNote error={state.error} />
      </form>
      <p>
        New here? <Link to="/sign-up">Create an account</Link>
      </p>
    </Page>
  );
}
