// One product: price, stock, add to cart, favourite, its reviews and (after buying it) your own.
import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { catalog, must } from '../api/client';
import { signInPath, useSession } from '../auth/session';
import { ErrorNote, Loading, Page, useLoad } from '../ui/components';
import { dateTime, money } from '../ui/format';
import { addToCart } from './cart-actions';

export function ProductPage() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const product = useLoad(
    () => must(catalog.GET('/api/catalog/products/{id}', { params: { path: { id } } })),
    [id],
  );
  const reviews = useLoad(
    () =>
      must(
        catalog.GET('/api/catalog/products/{id}/reviews', {
          params: { path: { id }, query: { pageSize: 20 } },
        }),
      ),
    [id],
  );
  const favourites = useLoad(
    async () =>
      me
        ? must(catalog.GET('/api/catalog/me/favourites', { params: { query: { pageSize: 100 } } }))
        : undefined,
    [me?.id],
  );
  const [quantity, setQuantity] = useState(1);
  const [action, setAction] = useState<{ busy?: boolean; message?: string; error?: unknown }>({});

  const requireSignIn = () => {
    if (me) return true;
    navigate(signInPath(location.pathname));
    return false;
  };
  const run = async (work: () => Promise<unknown>, message: string) => {
    if (!requireSignIn()) return;
    setAction({ busy: true });
    try {
      await work();
      setAction({ message });
    } catch (error) {
      setAction({ error });
    }
  };

  if (product.error) return <ErrorNote error={product.error} />;
  const p = product.data;
  if (!p) return <Loading label="Loading the product" />;
  const isFavourite = favourites.data?.items.some((f) => f.product.id === p.id) ?? false;
  const mine = reviews.data?.items.find((r) => r.authorId === me?.id);
  return (
    <Page title={p.name}>
      <div className="product">
        <p className="price">{money(p.priceMinor, p.currency)}</p>
        <p data-testid="stock">
          {p.stock.available > 0 ? `${p.stock.available} in stock` : 'Out of stock'}
          {p.status === 'archived' ? ' · no longer sold' : ''}
        </p>
        {p.description ? <p>{p.description}</p> : null}
        <p className="muted">
          {p.rating.count > 0
            ? `★ ${p.rating.average.toFixed(1)} from ${p.rating.count} review(s)`
            : 'No reviews yet'}
        </p>
        <div className="row">
          <label>
            Quantity
            <input
              type="number"
              min={1}
              max={Math.max(1, p.stock.available)}
              value={quantity}
              onChange={(e) => setQuantity(Math.max(1, Number(e.target.value) || 1))}
            />
          </label>
          <button
            type="button"
            disabled={action.busy || !p.purchasable || p.stock.available === 0}
            onClick={() => run(() => addToCart(p.id, quantity), `Added ${quantity} to the cart`)}
          >
            Add to cart
          </button>
          <button
            type="button"
            aria-pressed={isFavourite}
            disabled={action.busy}
            onClick={() =>
              run(
                async () => {
                  const path = { params: { path: { productId: p.id } } };
                  if (isFavourite) await must(catalog.DELETE('/api/catalog/me/favourites/{productId}', path));
                  else await must(catalog.PUT('/api/catalog/me/favourites/{productId}', path));
                  favourites.reload();
                },
                isFavourite ? 'Removed from favourites' : 'Added to favourites',
              )
            }
          >
            {isFavourite ? '♥ Favourite' : '♡ Add to favourites'}
          </button>
        </div>
        {action.message ? (
          <p role="status" className="ok">
            {action.message}
          </p>
        ) : null}
        <ErrorNote error={action.error} />
      </div>

      <h2>Reviews</h2>
      <ErrorNote error={reviews.error} />
      {reviews.data?.items.length === 0 ? <p className="muted">Nobody has reviewed it yet.</p> : null}
      <ul className="reviews">
        {reviews.data?.items.map((r) => (
          <li key={r.id}>
            <p>
              <strong>
                {'★'.repeat(r.rating)}
                {'☆'.repeat(5 - r.rating)}
              </strong>{' '}
              <span className="sr-only">{r.rating} of 5</span> {r.title}
            </p>
            {r.body ? <p>{r.body}</p> : null}
            <p className="muted">{dateTime(r.createdAt)}</p>
          </li>
        ))}
      </ul>
      {me && !mine ? (
        <ReviewForm
          productId={p.id}
          onDone={() => {
            reviews.reload();
            product.reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function ReviewForm({ productId, onDone }: { productId: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await must(
        catalog.POST('/api/catalog/products/{id}/reviews', {
          params: { path: { id: productId } },
          body: {
            rating: Number(form.get('rating')),
            title: String(form.get('title') ?? ''),
            body: String(form.get('body') ?? ''),
          },
        }),
      );
      setError(undefined);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form onSubmit={submit} className="stack" aria-label="Write a review">
      <h3>Write a review</h3>
      <p className="muted">You can review a product once you have bought it.</p>
      <label>
        Rating
        <select name="rating" defaultValue="5">
          {[5, 4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {n} star{n === 1 ? '' : 's'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title
        <input name="title" maxLength={120} />
      </label>
      <label>
        Review
        <textarea name="body" rows={3} maxLength={4000} />
      </label>
      <button type="submit">Publish review</button>
      <ErrorNote error={error} />
    </form>
  );
}
