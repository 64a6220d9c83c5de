// Browse and search the catalog: text, category, price range, in stock, sorting and pages, all in
// the address (so a search can be bookmarked and the back button works).
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { catalog, must } from '../api/client';
import type { paths } from '../api/generated/catalog';
import { signInPath, useSession } from '../auth/session';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { money, toMinor } from '../ui/format';
import { addToCart } from './cart-actions';

type Query = NonNullable<paths['/api/catalog/products']['get']['parameters']['query']>;
type Sort = NonNullable<Query['sort']>;
export type Product =
  paths['/api/catalog/products/{id}']['get']['responses'][200]['content']['application/json'];

const SORTS: { value: Sort; label: string }[] = [
  { value: 'relevance', label: 'Relevance' },
  { value: 'newest', label: 'Newest' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
  { value: 'rating', label: 'Rating' },
  { value: 'name', label: 'Name' },
];
const PAGE_SIZE = 12;

function queryFrom(params: URLSearchParams): Query {
  const query: Query = { page: Number(params.get('page') ?? 1) || 1, pageSize: PAGE_SIZE };
  const q = params.get('q');
  if (q) query.q = q;
  const category = params.get('category');
  if (category) query.category = category;
  const sort = params.get('sort') as Sort | null;
  if (sort && SORTS.some((s) => s.value === sort)) query.sort = sort;
  if (params.get('inStock') === 'true') query.inStock = 'true';
  const min = params.get('min') && toMinor(params.get('min') ?? '', 'EUR');
  if (min) query.minPrice = min;
  const max = params.get('max') && toMinor(params.get('max') ?? '', 'EUR');
  if (max) query.maxPrice = max;
  return query;
}

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const query = queryFrom(params);
  const key = params.toString();
  const products = useLoad(() => must(catalog.GET('/api/catalog/products', { params: { query } })), [key]);
  const categories = useLoad(() => must(catalog.GET('/api/catalog/categories')), []);

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ['q', 'category', 'sort', 'min', 'max']) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    if (form.get('inStock')) next.set('inStock', 'true');
    setParams(next);
  };
  const goTo = (page: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(page));
    setParams(next);
  };

  const data = products.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <Page title="Catalog">
      <form className="filters" onSubmit={search} aria-label="Search the catalog">
        <label>
          Search
          <input
            name="q"
            type="search"
            defaultValue={params.get('q') ?? ''}
            placeholder="espresso, kettle…"
          />
        </label>
        <label>
          Category
          <select name="category" defaultValue={params.get('category') ?? ''}>
            <option value="">All</option>
            {categories.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Min price
          <input name="min" inputMode="decimal" size={6} defaultValue={params.get('min') ?? ''} />
        </label>
        <label>
          Max price
          <input name="max" inputMode="decimal" size={6} defaultValue={params.get('max') ?? ''} />
        </label>
        <label className="check">
          <input name="inStock" type="checkbox" defaultChecked={params.get('inStock') === 'true'} />
          In stock only
        </label>
        <label>
          Sort by
          <select name="sort" defaultValue={params.get('sort') ?? 'relevance'}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={products.error} />
      {products.loading && !data ? <Loading label="Loading products" /> : null}
      {data ? (
        <>
          <p className="muted" aria-live="polite">
            {data.total} product{data.total === 1 ? '' : 's'}
          </p>
          <ul className="grid" aria-label="Products" data-testid="product-grid">
            {data.items.map((product) => (
              <ProductCard key={product.id} product={product} />
            ))}
          </ul>
          {pages > 1 ? (
            <nav className="pager" aria-label="Pages">
              <button type="button" disabled={data.page <= 1} onClick={() => goTo(data.page - 1)}>
                Previous
              </button>
              <span>
                Page {data.page} of {pages}
              </span>
              <button type="button" disabled={data.page >= pages} onClick={() => goTo(data.page + 1)}>
                Next
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function ProductCard({ product }: { product: Product }) {
  const { me } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [state, setState] = useState<{ busy?: boolean; added?: boolean; error?: unknown }>({});
  const add = async () => {
    if (!me) return navigate(signInPath(`${location.pathname}${location.search}`));
    setState({ busy: true });
    try {
      await addToCart(product.id, 1);
      setState({ added: true });
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <li className="card">
      <h2>
        <Link to={`/products/${product.id}`}>{product.name}</Link>
      </h2>
      <p className="price">{money(product.priceMinor, product.currency)}</p>
      <p className="muted">
        {product.stock.available > 0 ? `${product.stock.available} in stock` : 'Out of stock'}
        {product.rating.count > 0
          ? ` · ★ ${product.rating.average.toFixed(1)} (${product.rating.count})`
          : ''}
      </p>
      <button
        type="button"
        onClick={add}
        disabled={state.busy || !product.purchasable || product.stock.available === 0}
        aria-label={state.added ? `${product.name} added to the cart` : `Add ${product.name} to the cart`}
      >
        {state.added ? 'Added ✓' : 'Add to cart'}
      </button>
      <ErrorNote error={state.error} />
    </li>
  );
}
