// The frame of every page: a skip link, the header with the storefront's and (for staff) the
// console's navigation, and the main region.
import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { isStaff, useSession } from './auth/session';

export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <NavLink to="/" className="brand">
          ShopStack
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/">Catalog</NavLink>
            </li>
            {me ? (
              <>
                <li>
                  <NavLink to="/cart">Cart</NavLink>
                </li>
                <li>
                  <NavLink to="/orders">Orders</NavLink>
                </li>
                <li>
                  <NavLink to="/wallet">Wallet</NavLink>
                </li>
                <li>
                  <NavLink to="/favourites">Favourites</NavLink>
                </li>
                <li>
                  <NavLink to="/account">Account</NavLink>
                </li>
                {isStaff(me) ? (
                  <li>
                    <NavLink to="/admin">Console</NavLink>
                  </li>
                ) : null}
                <li>
                  <button
                    type="button"
                    className="link"
                    onClick={async () => {
                      await signOut();
                      navigate('/');
                    }}
                  >
                    Sign out
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/sign-in">Sign in</NavLink>
                </li>
                <li>
                  <NavLink to="/sign-up">Create account</NavLink>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main">{children}</main>
      <footer className="foot">
        <p>
          ShopStack · amounts in the shop's currencies · {me ? `signed in as ${me.email}` : 'not signed in'}
        </p>
      </footer>
    </>
  );
}
