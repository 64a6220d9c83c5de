-- Up Migration

-- A tree of categories; products point at one category (or none).
CREATE TABLE categories (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL,
  parent_id uuid REFERENCES categories (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX categories_parent ON categories (parent_id);

-- Stock is `stock_on_hand` physical units, of which `stock_reserved` are held for unfinished orders.
-- The CHECKs are the last line of defence against overselling: available never goes below zero.
CREATE TABLE products (
  id uuid PRIMARY KEY,
  owner_id text NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  category_id uuid REFERENCES categories (id) ON DELETE RESTRICT,
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  stock_on_hand integer NOT NULL CHECK (stock_on_hand >= 0),
  stock_reserved integer NOT NULL DEFAULT 0 CHECK (stock_reserved >= 0 AND stock_reserved <= stock_on_hand),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  -- The average rating is rating_sum / review_count, kept current in the review's transaction.
  rating_sum integer NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
  review_count integer NOT NULL DEFAULT 0 CHECK (review_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || description)) STORED
);
CREATE INDEX products_search ON products USING gin (search);
CREATE INDEX products_category ON products (category_id) WHERE status = 'active';
CREATE INDEX products_price ON products (currency, price_minor) WHERE status = 'active';
CREATE INDEX products_created ON products (created_at DESC) WHERE status = 'active';
CREATE INDEX products_owner ON products (owner_id);

-- One reservation per order id: the idempotency key of reserve / release / commit.
CREATE TABLE stock_reservations (
  order_id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('reserved', 'rejected', 'released', 'committed')),
  -- Only for rejected reservations: why, per line.
  shortages jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The lines as requested. While the reservation is `reserved`, their quantities add up (per product)
-- to products.stock_reserved.
CREATE TABLE stock_reservation_lines (
  order_id text NOT NULL REFERENCES stock_reservations (order_id) ON DELETE CASCADE,
  product_id uuid NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX stock_reservation_lines_product ON stock_reservation_lines (product_id);

-- Who bought what, learned from order.confirmed events: the right to review.
CREATE TABLE purchases (
  user_id text NOT NULL,
  product_id uuid NOT NULL,
  order_id text NOT NULL,
  purchased_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, product_id, order_id)
);

CREATE TABLE reviews (
  id uuid PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  author_id text NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title text NOT NULL DEFAULT '',
  body text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reviews_one_per_author UNIQUE (product_id, author_id)
);
CREATE INDEX reviews_product_created ON reviews (product_id, created_at DESC);
CREATE INDEX reviews_author ON reviews (author_id, created_at DESC);

CREATE TABLE favourites (
  user_id text NOT NULL,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, product_id)
);

-- Down Migration
DROP TABLE favourites;
DROP TABLE reviews;
DROP TABLE purchases;
DROP TABLE stock_reservation_lines;
DROP TABLE stock_reservations;
DROP TABLE products;
DROP TABLE categories;
