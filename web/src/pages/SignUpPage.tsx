// Create an account; the verification link goes out by email.
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { must, users } from '../api/client';
import { ErrorNote, Page } from '../ui/components';

export function SignUpPage() {
  const [state, setState] = useState<{ busy?: boolean; sentTo?: string; error?: unknown }>({});
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    setState({ busy: true });
    try {
      await must(
        users.POST('/api/users/register', { body: { email, password: String(form.get('password')) } }),
      );
      setState({ sentTo: email });
    } catch (error) {
      setState({ error });
    }
  };
  if (state.sentTo)
    return (
      <Page title="Check your email">
        <p role="status">
          We sent a link to <strong>{state.sentTo}</strong> to confirm the address. Then{' '}
          <Link to="/sign-in">sign in</Link>.
        </p>
      </Page>
    );
  return (
    <Page title="Create an account">
      <form className="stack narrow" onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password (at least 10 characters)
          <input name="password" type="password" autoComplete="new-password" minLength={10} required />
        </label>
        <button type="submit" className="primary" disabled={state.busy}>
          Create account
        </button>
        <ErrorNote error={state.error} />
      </form>
    </Page>
  );
}
