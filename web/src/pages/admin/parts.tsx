// Pieces the console's pages share: an action's state (busy, the outcome, the problem), and a form
// that asks for the reason an admin acts (the owning service keeps it in its audit record).
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ErrorNote } from '../../ui/components';

export interface ActionState {
  busy?: boolean;
  message?: string;
  error?: unknown;
}

/** Runs one action at a time; `message` is shown when it succeeded, the problem when it did not. */
export function useAction() {
  const [state, setState] = useState<ActionState>({});
  const run = async (work: () => Promise<unknown>, message: string | ((result: never) => string)) => {
    setState({ busy: true });
    try {
      const result = await work();
      setState({ message: typeof message === 'string' ? message : message(result as never) });
      return true;
    } catch (error) {
      setState({ error });
      return false;
    }
  };
  return { state, run };
}

export function Outcome({ state }: { state: ActionState }) {
  return (
    <>
      {state.message ? <p role="status">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </>
  );
}

/** A titled form: its own fields (children), a reason, and one button. */
export function ReasonForm({
  title,
  button,
  busy,
  onSubmit,
  children,
}: {
  title: string;
  button: string;
  busy?: boolean | undefined;
  onSubmit: (reason: string, form: FormData) => unknown;
  children?: ReactNode;
}) {
  const id = useId();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    onSubmit(String(form.get('reason')).trim(), form);
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
      <label>
        Reason (kept in the audit record)
        <input name="reason" required minLength={3} maxLength={500} />
      </label>
      <button type="submit" disabled={busy}>
        {button}
      </button>
    </form>
  );
}
