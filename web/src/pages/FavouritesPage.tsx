// My favourite products, most recently added first.
import { Link } from 'react-router';
import { catalog, must } from '../api/client';
import { RequireSignIn } from '../auth/RequireSignIn';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { money } from '../ui/format';

export function FavouritesPage() {
  return (
    <RequireSignIn>
      <Favourites />
    </RequireSignIn>
  );
}

function Favourites() {
  const favourites = useLoad(
    () => must(catalog.GET('/api/catalog/me/favourites', { params: { query: { pageSize: 50 } } })),
    [],
  );
  if (favourites.error) return <ErrorNote error={favourites.error} />;
  if (!favourites.data) return <Loading label="Loading favourites" />;
  return (
    <Page title="Favourites">
      {favourites.data.items.length === 0 ? (
        <p>No favourites yet: mark products with ♡ on their page.</p>
      ) : null}
      <ul className="list">
        {favourites.data.items.map(({ product }) => (
          <li key={product.id}>
            <Link to={`/products/${product.id}`}>{product.name}</Link> ·{' '}
            {money(product.priceMinor, product.currency)}
            {product.stock.available > 0 ? '' : ' · out of stock'}
          </li>
        ))}
      </ul>
    </Page>
  );
}
