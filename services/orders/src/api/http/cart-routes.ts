// /api/orders/cart: the signed-in user's own cart, priced by the catalog.
import type { HttpRoutes } from '@shopstack/kit';
import { addCartLine, getCart, removeCartLine, setCartLine } from '../../app/cart.js';
import type { OrdersDeps } from '../../app/deps.js';
import { addLineBody, changeLineBody, productParams } from './schemas.js';

export function cartRoutes(routes: HttpRoutes, deps: OrdersDeps): void {
  routes.get(
    '/api/orders/cart',
    {
      summary: 'My cart, priced now',
      tags: ['cart'],
      auth: true,
      responses: { 200: { description: 'The cart' } },
    },
    async ({ user }) => ({ body: await getCart(deps, user.id) }),
  );
  routes.post(
    '/api/orders/cart/lines',
    {
      summary: 'Add a product (adds to the quantity of an existing line)',
      tags: ['cart'],
      auth: true,
      body: addLineBody,
      responses: {
        200: { description: 'The cart' },
        400: { description: 'Invalid input' },
        404: { description: 'No such product' },
      },
    },
    async ({ user, body }) => ({ body: await addCartLine(deps, user.id, body.productId, body.quantity) }),
  );
  routes.put(
    '/api/orders/cart/lines/:productId',
    {
      summary: "Set a product's quantity (creating its line); the same request again changes nothing more",
      tags: ['cart'],
      auth: true,
      params: productParams,
      body: changeLineBody,
      responses: {
        200: { description: 'The cart' },
        400: { description: 'Invalid input' },
        404: { description: 'No such product' },
        409: { description: 'The cart is full, or the product cannot be bought' },
      },
    },
    async ({ user, params, body }) => ({
      body: await setCartLine(deps, user.id, params.productId, body.quantity),
    }),
  );
  routes.delete(
    '/api/orders/cart/lines/:productId',
    {
      summary: 'Remove a line',
      tags: ['cart'],
      auth: true,
      params: productParams,
      responses: { 200: { description: 'The cart' }, 404: { description: 'No such line' } },
    },
    async ({ user, params }) => ({ body: await removeCartLine(deps, user.id, params.productId) }),
  );
}
