// Small building blocks shared by the pages.
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <div role="alert" className="error">
      <strong>{problem?.title ?? 'Something went wrong'}</strong>
      {problem?.detail && problem.detail !== problem.title ? <span>: {problem.detail}</span> : null}
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {!problem && error instanceof Error ? <span>: {error.message}</span> : null}
    </div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="muted" aria-live="polite">
      {label}…
    </p>
  );
}

/** Loads once per change of `deps`; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  // Stable, so a page can poll with it from an effect.
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

export function Page({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · ShopStack`;
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {children}
    </section>
  );
}

/** A table with a caption (for screen readers only unless `showCaption`) and its column heads. */
export function Table({
  caption,
  columns,
  testId,
  showCaption = false,
  children,
}: {
  caption: string;
  columns: readonly string[];
  testId?: string;
  showCaption?: boolean;
  children: ReactNode;
}) {
  return (
    <table className="table" data-testid={testId}>
      <caption className={showCaption ? undefined : 'sr-only'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
