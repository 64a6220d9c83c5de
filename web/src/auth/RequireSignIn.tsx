// Pages for signed-in people: without a session, the sign-in page, then back here.
import { type ReactNode, useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { sessionEndedBy } from '../api/session-store';
import { Loading } from '../ui/components';
import { isStaff, signInPath, useSession } from './session';

export function RequireSignIn({ children, staff = false }: { children: ReactNode; staff?: boolean }) {
  const { me, loading } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    if (loading || me) return;
    const reason = sessionEndedBy() === 'revoked' ? 'expired' : undefined;
    navigate(signInPath(`${location.pathname}${location.search}`, reason), { replace: true });
  }, [loading, me, navigate, location]);
  if (loading || !me) return <Loading />;
  if (staff && !isStaff(me)) return <p role="alert">This page is for the shop's admins and support.</p>;
  return <>{children}</>;
}
