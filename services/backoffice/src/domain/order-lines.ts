// What order.completed puts into the reporting store's order lines (rpt_order_lines): pure, so the
// producer→consumer contract test reads orders' own events with this very code.
import type { OrderCompleted } from '@shopstack/proto/messages';

export interface OrderLineRow {
  product_id: string;
  quantity: number;
  unit_price_minor: string;
  currency: string;
  /** null: the product was in no category, or the event is from before orders told it. */
  category_id: string | null;
  /** null: no category, or an event from before orders told the name. */
  category_name: string | null;
}

export function orderLineRows(event: OrderCompleted): OrderLineRow[] {
  return event.lines.map((line) => ({
    product_id: line.productId,
    quantity: line.quantity,
    unit_price_minor: line.unitPriceMinor,
    currency: line.currency,
    category_id: line.categoryId ?? null,
    // A name is kept only with its id: the report names ids, it never groups by names.
    category_name: line.categoryId ? (line.categoryName ?? null) : null,
  }));
}
