// The web app: storefront for customers, console for admins and support, one page per route.
// Pages other than the catalog load on first use, so the first paint needs only the shell.
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { SessionProvider } from './auth/session';
import { Layout } from './Layout';
import { CatalogPage } from './pages/CatalogPage';
import { Loading } from './ui/components';
import './styles.css';

const page = <T extends Record<string, unknown>>(load: () => Promise<T>, name: keyof T) =>
  lazy(async () => ({ default: (await load())[name] as React.ComponentType }));

const ProductPage = page(() => import('./pages/ProductPage'), 'ProductPage');
const CartPage = page(() => import('./pages/CartPage'), 'CartPage');
const OrdersPage = page(() => import('./pages/OrdersPage'), 'OrdersPage');
const OrderPage = page(() => import('./pages/OrderPage'), 'OrderPage');
const WalletPage = page(() => import('./pages/WalletPage'), 'WalletPage');
const AccountPage = page(() => import('./pages/AccountPage'), 'AccountPage');
const PreferencesPage = page(() => import('./pages/PreferencesPage'), 'PreferencesPage');
const FavouritesPage = page(() => import('./pages/FavouritesPage'), 'FavouritesPage');
const SignInPage = page(() => import('./pages/SignInPage'), 'SignInPage');
const SignUpPage = page(() => import('./pages/SignUpPage'), 'SignUpPage');
const AdminUsersPage = page(() => import('./pages/admin/AdminUsersPage'), 'AdminUsersPage');
const AdminUserPage = page(() => import('./pages/admin/AdminUserPage'), 'AdminUserPage');
const AdminCustomerPage = page(() => import('./pages/admin/AdminCustomerPage'), 'AdminCustomerPage');
const AdminRepairsPage = page(() => import('./pages/admin/AdminRepairsPage'), 'AdminRepairsPage');
const AdminReportsPage = page(() => import('./pages/admin/AdminReportsPage'), 'AdminReportsPage');
const AdminAnomaliesPage = page(() => import('./pages/admin/AdminAnomaliesPage'), 'AdminAnomaliesPage');
const AdminLedgerPage = page(() => import('./pages/admin/AdminLedgerPage'), 'AdminLedgerPage');
const AdminWebhooksPage = page(() => import('./pages/admin/AdminWebhooksPage'), 'AdminWebhooksPage');
const AdminLinksPage = page(() => import('./pages/admin/AdminLinksPage'), 'AdminLinksPage');
const NotFoundPage = page(() => import('./pages/NotFoundPage'), 'NotFoundPage');

function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Layout>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<CatalogPage />} />
              <Route path="/products/:id" element={<ProductPage />} />
              <Route path="/cart" element={<CartPage />} />
              <Route path="/orders" element={<OrdersPage />} />
              <Route path="/orders/:id" element={<OrderPage />} />
              <Route path="/wallet" element={<WalletPage />} />
              <Route path="/favourites" element={<FavouritesPage />} />
              <Route path="/account" element={<AccountPage />} />
              <Route path="/account/notifications" element={<PreferencesPage />} />
              <Route path="/sign-in" element={<SignInPage />} />
              <Route path="/sign-up" element={<SignUpPage />} />
              <Route path="/admin" element={<AdminUsersPage />} />
              <Route path="/admin/users/:id" element={<AdminUserPage />} />
              <Route path="/admin/customers/:id" element={<AdminCustomerPage />} />
              <Route path="/admin/repairs" element={<AdminRepairsPage />} />
              <Route path="/admin/reports" element={<AdminReportsPage />} />
              <Route path="/admin/anomalies" element={<AdminAnomaliesPage />} />
              <Route path="/admin/ledger" element={<AdminLedgerPage />} />
              <Route path="/admin/webhooks" element={<AdminWebhooksPage />} />
              <Route path="/admin/observability" element={<AdminLinksPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </Layout>
      </SessionProvider>
    </BrowserRouter>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
