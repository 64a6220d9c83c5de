// The signed-in session as the browser keeps it: the access token (short-lived) and the refresh
// token (rotated on every use). Kept in localStorage so a reload stays signed in; nothing else of
// the user's is stored in the browser (the cart lives in the orders service).
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
  /** Epoch milliseconds after which a call refreshes first (three quarters into the token's life). */
  refreshAt: number;
}

const KEY = 'shopstack.session';
type Listener = (session: StoredSession | null) => void;
const listeners = new Set<Listener>();

export function readSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

let endedBy: 'revoked' | 'signed-out' | null = null;
/** Why there is no session now: revoked (a refresh was refused) or signed out here; null when there is one. */
export const sessionEndedBy = () => endedBy;

export function writeSession(
  session: StoredSession | null,
  ended: 'revoked' | 'signed-out' = 'signed-out',
): void {
  endedBy = session ? null : ended;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const sessionFromTokens = (tokens: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}): StoredSession => ({
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken,
  expiresAt: Date.now() + tokens.expiresIn * 1000,
  refreshAt: Date.now() + tokens.expiresIn * 750,
});
