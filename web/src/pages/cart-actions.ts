// Adding to the cart, from the catalog and the product page: signed out, the person signs in first
// and comes back to the same page.
import { must, orders } from '../api/client';

export async function addToCart(productId: string, quantity: number): Promise<void> {
  await must(orders.POST('/api/orders/cart/lines', { body: { productId, quantity } }));
}
