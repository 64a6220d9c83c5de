// The cart: add, change, remove lines; reading it prices every line from the catalog.
import { AppError } from '@shopstack/kit';
import { addToCart, readCart, removeFromCart, setCartQuantity } from '../adapters/cart-repository.js';
import type { PricedProduct } from '../adapters/catalog-client.js';
import { MAX_LINES, MAX_QUANTITY } from '../domain/order.js';
import type { OrdersDeps } from './deps.js';

export interface CartLineView {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: string;
  lineTotalMinor: string;
  currency: string;
  purchasable: boolean;
}

export interface CartView {
  lines: CartLineView[];
  /** Per currency, since a cart may mix them (an order may not). */
  totals: { currency: string; totalMinor: string }[];
  /** Lines whose product no longer exists in the catalog. */
  unavailable: string[];
}

const lineNotFound = (productId: string) =>
  new AppError('not_found', 'cart-line-not-found', `The cart has no line for product ${productId}`);

async function requireProduct(deps: OrdersDeps, productId: string): Promise<PricedProduct> {
  const [product] = await deps.catalog.getProducts([productId]);
  if (!product)
    throw new AppError('not_found', 'product-not-found', `No product ${productId}`, {
      fields: [{ field: 'productId', message: 'no such product' }],
    });
  if (!product.purchasable)
    throw new AppError('conflict', 'product-not-purchasable', `Product ${productId} cannot be bought`);
  return product;
}

async function refuseNewLineInFullCart(deps: OrdersDeps, userId: string, productId: string) {
  const lines = await readCart(deps.pool, userId);
  if (lines.length >= MAX_LINES && !lines.some((line) => line.productId === productId))
    throw new AppError('conflict', 'cart-full', `A cart holds at most ${MAX_LINES} lines`);
}

/** Adds to the line's quantity: sent twice, it adds twice (setCartLine is the idempotent one). */
export async function addCartLine(deps: OrdersDeps, userId: string, productId: string, quantity: number) {
  await requireProduct(deps, productId);
  await refuseNewLineInFullCart(deps, userId, productId);
  if ((await addToCart(deps.pool, userId, productId, quantity, MAX_QUANTITY)) === undefined)
    throw new AppError('invalid', 'quantity-too-large', `At most ${MAX_QUANTITY} of one product`, {
      fields: [{ field: 'quantity', message: `the line would exceed ${MAX_QUANTITY}` }],
    });
  return getCart(deps, userId);
}

/** Sets the line's quantity, creating the line. */
export async function setCartLine(deps: OrdersDeps, userId: string, productId: string, quantity: number) {
  await requireProduct(deps, productId);
  await refuseNewLineInFullCart(deps, userId, productId);
  await setCartQuantity(deps.pool, userId, productId, quantity);
  return getCart(deps, userId);
}

export async function removeCartLine(deps: OrdersDeps, userId: string, productId: string) {
  if (!(await removeFromCart(deps.pool, userId, productId))) throw lineNotFound(productId);
  return getCart(deps, userId);
}

export async function getCart(deps: OrdersDeps, userId: string): Promise<CartView> {
  const lines = await readCart(deps.pool, userId);
  const products = new Map(
    (await deps.catalog.getProducts(lines.map((l) => l.productId))).map((p) => [p.productId, p]),
  );
  const view: CartLineView[] = [];
  const unavailable: string[] = [];
  const totals = new Map<string, bigint>();
  for (const line of lines) {
    const product = products.get(line.productId);
    if (!product) {
      unavailable.push(line.productId);
      continue;
    }
    const lineTotal = BigInt(product.unitPriceMinor) * BigInt(line.quantity);
    totals.set(product.currency, (totals.get(product.currency) ?? 0n) + lineTotal);
    view.push({
      productId: line.productId,
      name: product.name,
      quantity: line.quantity,
      unitPriceMinor: product.unitPriceMinor,
      lineTotalMinor: lineTotal.toString(),
      currency: product.currency,
      purchasable: product.purchasable,
    });
  }
  return {
    lines: view,
    totals: [...totals].map(([currency, total]) => ({ currency, totalMinor: total.toString() })),
    unavailable,
  };
}
