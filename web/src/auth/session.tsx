// Who is signed in, for every page: the profile (GET /api/users/me), sign-in (with the second step
// when two-factor sign-in is on), sign-out. A revoked session (refused refresh) sends the person to
// the sign-in page with the page they were on, and back there afterwards.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { must, onSignedOut, users } from '../api/client';
import type { paths } from '../api/generated/users';
import { onSessionChange, readSession, sessionFromTokens, writeSession } from '../api/session-store';

export type Me = paths['/api/users/me']['get']['responses'][200]['content']['application/json'];
type LoginReply = paths['/api/users/login']['post']['responses'][200]['content']['application/json'];
export type SignInResult = { done: true } | { done: false; challengeToken: string };

interface SessionContext {
  me: Me | null;
  /** True until the first profile load finished (or there is no session). */
  loading: boolean;
  signIn(email: string, password: string): Promise<SignInResult>;
  secondFactor(challengeToken: string, code: string): Promise<void>;
  signOut(): Promise<void>;
  refreshMe(): Promise<void>;
}

const Context = createContext<SessionContext | null>(null);
export const useSession = () => {
  const context = useContext(Context);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
};

export const signInPath = (from: string, reason?: 'expired') =>
  `/sign-in?next=${encodeURIComponent(from)}${reason ? `&reason=${reason}` : ''}`;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(readSession() !== null);
  const navigate = useNavigate();
  const location = useLocation();

  const refreshMe = useCallback(async () => {
    if (!readSession()) {
      setMe(null);
      setLoading(false);
      return;
    }
    try {
      setMe(await must(users.GET('/api/users/me')));
    } catch {
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refreshMe();
    return onSessionChange((session) => {
      if (!session) setMe(null);
    });
  }, [refreshMe]);

  const here = `${location.pathname}${location.search}`;
  useEffect(() => {
    const stop = onSignedOut(() => {
      if (!window.location.pathname.startsWith('/sign-in')) navigate(signInPath(here, 'expired'));
    });
    return () => {
      stop();
    };
  }, [navigate, here]);

  const value = useMemo<SessionContext>(() => {
    const accept = async (tokens: Extract<LoginReply, { accessToken: string }>) => {
      writeSession(sessionFromTokens(tokens));
      await refreshMe();
    };
    return {
      me,
      loading,
      refreshMe,
      async signIn(email, password) {
        const reply = await must(users.POST('/api/users/login', { body: { email, password } }));
        if (reply.twoFactorRequired) return { done: false, challengeToken: reply.challengeToken };
        await accept(reply);
        return { done: true };
      },
      async secondFactor(challengeToken, code) {
        const tokens = await must(
          users.POST('/api/users/login/second-factor', { body: { challengeToken, code } }),
        );
        await accept({ ...tokens, twoFactorRequired: false });
      },
      async signOut() {
        const session = readSession();
        if (session) {
          await users
            .POST('/api/users/logout', { body: { refreshToken: session.refreshToken } })
            .catch(() => {});
        }
        writeSession(null);
      },
    };
  }, [me, loading, refreshMe]);

  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const isStaff = (me: Me | null) => me?.role === 'admin' || me?.role === 'support';
