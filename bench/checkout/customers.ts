// What every checkout bench sets up in a started shop: products to buy and customers who can pay.
import {
  createProduct,
  type RunningShop,
  type Session,
  signUp,
  topUp,
} from '../../test/checkout/support/shop.js';

/** Two products with plenty of stock, and `count` customers topped up for ~40 orders each. */
export async function productsAndCustomers(shop: RunningShop, count: number) {
  const admin = await signUp(shop, 'admin');
  const products = [
    await createProduct(shop, admin, 1_999, 1_000_000),
    await createProduct(shop, admin, 250, 1_000_000),
  ];
  const customers: Session[] = [];
  for (let i = 0; i < count; i++) {
    const customer = await signUp(shop);
    await topUp(shop, customer, 100_000); // the daily top-up limit
    customers.push(customer);
  }
  return { products, customers };
}
