// Products and categories over REST with real JWT verification on a real PostgreSQL: roles and
// ownership, search / filters / sorting / pages, ETags, and bad input (problem+json 400, no change).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct, tableCounts } from '../support/fixtures.js';

const PROBLEM_BASE = 'https://shopstack.dev/problems/';

function assertProblem(
  answer: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  code: string,
  fields: string[] = [],
) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(answer.body.type, PROBLEM_BASE + code);
  assert.equal(answer.body.status, status);
  assert.equal(typeof answer.body.title, 'string');
  assert.equal(typeof answer.body.detail, 'string');
  const named = ((answer.body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  for (const field of fields)
    assert.ok(named.includes(field), `expected field ${field} in ${JSON.stringify(named)}`);
}

describe('catalog REST: products and categories', function () {
  this.timeout(60_000);
  let catalog: TestCatalog;
  let admin: string;
  let sellerId: string;
  let seller: string;
  let otherSeller: string;
  let customer: string;

  before(async () => {
    catalog = await startTestCatalog();
    admin = await catalog.issuer.token(randomUUID(), 'admin');
    sellerId = randomUUID();
    seller = await catalog.issuer.token(sellerId, 'seller');
    otherSeller = await catalog.issuer.token(randomUUID(), 'seller');
    customer = await catalog.issuer.token(randomUUID(), 'customer');
  });

  after(async () => {
    await catalog?.stop();
  });

  describe('writes', () => {
    it('admins and sellers create products they own; the product is stored as sent', async () => {
      const created = await createProduct(catalog, seller, {
        name: 'Desk lamp',
        description: 'Warm light',
        priceMinor: 2599,
        currency: 'EUR',
        stockOnHand: 3,
      });
      assert.equal(created.ownerId, sellerId);
      const read = await catalog.call('GET', `/api/catalog/products/${created.id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.name, 'Desk lamp');
      assert.equal(read.body.priceMinor, '2599');
      assert.deepEqual(read.body.stock, { onHand: 3, reserved: 0, available: 3 });
      assert.equal(read.body.purchasable, true);
    });

    it('customers cannot create products, anonymous callers are 401; nothing is stored', async () => {
      const before = await tableCounts(catalog);
      const body = { name: 'x', priceMinor: '1', currency: 'EUR' };
      assertProblem(
        await catalog.call('POST', '/api/catalog/products', { token: customer, body }),
        403,
        'forbidden',
      );
      assertProblem(await catalog.call('POST', '/api/catalog/products', { body }), 401, 'invalid-token');
      const expired = await catalog.issuer.token(randomUUID(), 'admin', { expiresIn: '-1m' });
      assertProblem(
        await catalog.call('POST', '/api/catalog/products', { token: expired, body }),
        401,
        'invalid-token',
      );
      const foreign = await catalog.issuer.token(randomUUID(), 'admin', { issuer: 'someone-else' });
      assertProblem(
        await catalog.call('POST', '/api/catalog/products', { token: foreign, body }),
        401,
        'invalid-token',
      );
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it('bad product input is a 400 naming the field, and stores nothing', async () => {
      const valid = { name: 'Chair', priceMinor: '4999', currency: 'EUR', stockOnHand: 2 };
      const cases: [Record<string, unknown>, string][] = [
        [{ ...valid, name: '' }, 'name'],
        [{ ...valid, name: undefined }, 'name'],
        [{ ...valid, priceMinor: '19.99' }, 'priceMinor'],
        [{ ...valid, priceMinor: -1 }, 'priceMinor'],
        [{ ...valid, priceMinor: 1.5 }, 'priceMinor'],
        [{ ...valid, priceMinor: '99999999999999999999' }, 'priceMinor'],
        [{ ...valid, currency: 'eur' }, 'currency'],
        [{ ...valid, currency: 'EURO' }, 'currency'],
        [{ ...valid, stockOnHand: -1 }, 'stockOnHand'],
        [{ ...valid, stockOnHand: 1.5 }, 'stockOnHand'],
        [{ ...valid, categoryId: 'fruit' }, 'categoryId'],
        [{ ...valid, ownerId: 'someone-else' }, 'body'],
      ];
      const before = await tableCounts(catalog);
      for (const [body, field] of cases) {
        const answer = await catalog.call('POST', '/api/catalog/products', { token: admin, body });
        assertProblem(answer, 400, 'validation', [field]);
      }
      assertProblem(
        await catalog.call('POST', '/api/catalog/products', {
          token: admin,
          body: { ...valid, categoryId: randomUUID() },
        }),
        400,
        'unknown-category',
        ['categoryId'],
      );
      const notJson = await fetch(`${catalog.service.httpUrl}/api/catalog/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
        body: 'name=Chair',
      });
      assert.equal(notJson.status, 415);
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it('sellers change only their own products; admins change any', async () => {
      const product = await createProduct(catalog, seller, { priceMinor: '1000' });
      const before = await tableCounts(catalog);
      for (const token of [otherSeller, customer]) {
        const answer = await catalog.call('PATCH', `/api/catalog/products/${product.id}`, {
          token,
          body: { priceMinor: '1' },
        });
        assertProblem(answer, 403, token === customer ? 'forbidden' : 'not-product-owner');
        assertProblem(
          await catalog.call('DELETE', `/api/catalog/products/${product.id}`, { token }),
          403,
          token === customer ? 'forbidden' : 'not-product-owner',
        );
      }
      assert.deepEqual(await tableCounts(catalog), before);
      assert.equal(
        (await catalog.call('GET', `/api/catalog/products/${product.id}`)).body.priceMinor,
        '1000',
      );

      const own = await catalog.call('PATCH', `/api/catalog/products/${product.id}`, {
        token: seller,
        body: { priceMinor: '1200', name: 'Renamed' },
      });
      assert.equal(own.status, 200);
      const byAdmin = await catalog.call('PATCH', `/api/catalog/products/${product.id}`, {
        token: admin,
        body: { description: 'Checked by the shop' },
      });
      assert.equal(byAdmin.status, 200);
      const read = await catalog.call('GET', `/api/catalog/products/${product.id}`);
      assert.equal(read.body.priceMinor, '1200');
      assert.equal(read.body.name, 'Renamed');
      assert.equal(read.body.description, 'Checked by the shop');
    });

    it('bad updates are 400 and change nothing; unknown products are 404', async () => {
      const product = await createProduct(catalog, admin);
      const before = await tableCounts(catalog);
      for (const [body, field] of [
        [{}, 'body'],
        [{ priceMinor: '-5' }, 'priceMinor'],
        [{ status: 'deleted' }, 'status'],
        [{ stockOnHand: 3 }, 'body'],
      ] as const) {
        const answer = await catalog.call('PATCH', `/api/catalog/products/${product.id}`, {
          token: admin,
          body,
        });
        assertProblem(answer, 400, 'validation', [field]);
      }
      assertProblem(
        await catalog.call('PATCH', '/api/catalog/products/not-a-uuid', {
          token: admin,
          body: { name: 'x' },
        }),
        400,
        'validation',
        ['id'],
      );
      assertProblem(
        await catalog.call('PATCH', `/api/catalog/products/${randomUUID()}`, {
          token: admin,
          body: { name: 'x' },
        }),
        404,
        'product-not-found',
      );
      assertProblem(
        await catalog.call('GET', `/api/catalog/products/${randomUUID()}`),
        404,
        'product-not-found',
      );
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it("sellers list their own products, archived ones included; nobody else's", async () => {
      const kept = await createProduct(catalog, otherSeller, { name: 'Kept' });
      const archived = await createProduct(catalog, otherSeller, { name: 'Withdrawn' });
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/products/${archived.id}`, { token: otherSeller })).status,
        204,
      );
      const ids = async (query: string) => {
        const page = await catalog.call('GET', `/api/catalog/me/products${query}`, { token: otherSeller });
        assert.equal(page.status, 200, JSON.stringify(page.body));
        return page.body.items.map((p: { id: string }) => p.id).sort();
      };
      assert.deepEqual(await ids(''), [kept.id, archived.id].sort());
      assert.deepEqual(await ids('?status=archived'), [archived.id]);
      assert.deepEqual(await ids('?status=active'), [kept.id]);
      const mine = await catalog.call('GET', '/api/catalog/me/products', { token: seller });
      assert.ok(mine.body.items.every((p: { ownerId: string }) => p.ownerId === sellerId));
      assert.equal((await catalog.call('GET', '/api/catalog/me/products', { token: customer })).status, 403);
      assert.equal(
        (await catalog.call('GET', '/api/catalog/me/products?status=gone', { token: seller })).status,
        400,
      );
    });

    it('stock on hand cannot go below the units reserved for orders', async () => {
      const product = await createProduct(catalog, seller, { stockOnHand: 5 });
      const { reservation } = await catalog.grpc.reserveStock({
        orderId: randomUUID(),
        lines: [{ productId: product.id, quantity: 3 }],
      });
      assert.ok(reservation);
      const before = await tableCounts(catalog);
      assertProblem(
        await catalog.call('PUT', `/api/catalog/products/${product.id}/stock`, {
          token: seller,
          body: { onHand: 2 },
        }),
        409,
        'stock-below-reserved',
        ['onHand'],
      );
      assertProblem(
        await catalog.call('PUT', `/api/catalog/products/${product.id}/stock`, {
          token: seller,
          body: { onHand: -1 },
        }),
        400,
        'validation',
        ['onHand'],
      );
      assert.deepEqual(await tableCounts(catalog), before);
      const ok = await catalog.call('PUT', `/api/catalog/products/${product.id}/stock`, {
        token: seller,
        body: { onHand: 8 },
      });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.stock, { onHand: 8, reserved: 3, available: 5 });
    });
  });

  describe('reads', () => {
    let rootSlug: string;
    const ids: Record<string, string> = {};

    before(async () => {
      rootSlug = `furniture-${randomUUID().slice(0, 8)}`;
      const root = await catalog.call('POST', '/api/catalog/categories', {
        token: admin,
        body: { slug: rootSlug, name: 'Furniture' },
      });
      assert.equal(root.status, 201, JSON.stringify(root.body));
      const child = await catalog.call('POST', '/api/catalog/categories', {
        token: admin,
        body: { slug: `${rootSlug}-chairs`, name: 'Chairs', parentId: root.body.id },
      });
      assert.equal(child.status, 201);
      const make = async (key: string, fields: Record<string, unknown>) => {
        ids[key] = (await createProduct(catalog, admin, fields)).id;
      };
      await make('oakTable', {
        name: 'Oak table',
        description: 'Solid oak',
        priceMinor: '30000',
        categoryId: root.body.id,
      });
      await make('pineTable', {
        name: 'Pine table',
        priceMinor: '12000',
        categoryId: root.body.id,
        stockOnHand: 0,
      });
      await make('oakChair', { name: 'Oak chair', priceMinor: '8000', categoryId: child.body.id });
      await make('stool', { name: 'Bar stool', priceMinor: '5000', categoryId: child.body.id });
      await make('archived', { name: 'Old oak bench', priceMinor: '7000', categoryId: child.body.id });
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/products/${ids.archived}`, { token: admin })).status,
        204,
      );
    });

    const search = async (query: string) => {
      const answer = await catalog.call('GET', `/api/catalog/products?category=${rootSlug}&${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as { items: { id: string }[]; total: number; page: number; pageSize: number };
    };
    const names = (page: { items: { id: string }[] }) =>
      page.items.map((item) => Object.keys(ids).find((key) => ids[key] === item.id));

    it('filters by category subtree and leaves archived products out', async () => {
      const all = await search('sort=price_asc');
      assert.deepEqual(names(all), ['stool', 'oakChair', 'pineTable', 'oakTable']);
      assert.equal(all.total, 4);
      const chairs = await catalog.call(
        'GET',
        `/api/catalog/products?category=${rootSlug}-chairs&sort=price_desc`,
      );
      assert.deepEqual(names(chairs.body), ['oakChair', 'stool']);
    });

    it('searches text, price ranges and stock, and sorts', async () => {
      assert.deepEqual(names(await search('q=oak&sort=price_desc')), ['oakTable', 'oakChair']);
      assert.deepEqual(names(await search('minPrice=6000&maxPrice=12000&sort=price_asc')), [
        'oakChair',
        'pineTable',
      ]);
      assert.deepEqual(names(await search('inStock=true&sort=price_desc')), [
        'oakTable',
        'oakChair',
        'stool',
      ]);
      assert.deepEqual(names(await search('sort=name')), ['stool', 'oakChair', 'oakTable', 'pineTable']);
      assert.deepEqual(names(await search('q=nothing-like-this')), []);
    });

    it('pages through results with a stable total', async () => {
      const first = await search('sort=price_asc&pageSize=3&page=1');
      const second = await search('sort=price_asc&pageSize=3&page=2');
      const beyond = await search('sort=price_asc&pageSize=3&page=5');
      assert.deepEqual(names(first), ['stool', 'oakChair', 'pineTable']);
      assert.deepEqual(names(second), ['oakTable']);
      assert.deepEqual(names(beyond), []);
      assert.deepEqual([first.total, second.total, beyond.total], [4, 4, 4]);
      assert.deepEqual([second.page, second.pageSize], [2, 3]);
    });

    it('bad query parameters are 400s naming each one', async () => {
      for (const [query, field] of [
        ['page=0', 'page'],
        ['pageSize=1000', 'pageSize'],
        ['sort=cheapest', 'sort'],
        ['minPrice=abc', 'minPrice'],
        ['minPrice=500&maxPrice=100', 'maxPrice'],
        ['currency=euro', 'currency'],
        ['category=Not A Slug', 'category'],
        ['inStock=yes', 'inStock'],
        ['colour=red', 'query'],
        ['page=1&page=2', 'page'],
      ]) {
        assertProblem(await catalog.call('GET', `/api/catalog/products?${query}`), 400, 'validation', [
          field!,
        ]);
      }
    });

    it('answers 304 for a current ETag and a new ETag after a change', async () => {
      const path = `/api/catalog/products/${ids.oakChair}`;
      const first = await catalog.call('GET', path);
      const etag = first.headers.get('etag');
      assert.ok(etag);
      const cached = await catalog.call('GET', path, { headers: { 'if-none-match': etag } });
      assert.equal(cached.status, 304);
      assert.equal(cached.body, undefined);
      assert.equal(cached.headers.get('etag'), etag);

      const list = await catalog.call('GET', `/api/catalog/products?category=${rootSlug}`);
      const listTag = list.headers.get('etag')!;
      assert.equal(
        (
          await catalog.call('GET', `/api/catalog/products?category=${rootSlug}`, {
            headers: { 'if-none-match': listTag },
          })
        ).status,
        304,
      );

      await catalog.call('PATCH', path, { token: admin, body: { priceMinor: '8100' } });
      const changed = await catalog.call('GET', path, { headers: { 'if-none-match': etag } });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);
      assert.equal(changed.body.priceMinor, '8100');
      const listAfter = await catalog.call('GET', `/api/catalog/products?category=${rootSlug}`, {
        headers: { 'if-none-match': listTag },
      });
      assert.equal(listAfter.status, 200);
    });

    it('shows an archived product by id, not purchasable', async () => {
      const read = await catalog.call('GET', `/api/catalog/products/${ids.archived}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.status, 'archived');
      assert.equal(read.body.purchasable, false);
    });
  });

  describe('categories', () => {
    it('keeps slugs unique, refuses cycles and deleting categories in use', async () => {
      const slug = `garden-${randomUUID().slice(0, 8)}`;
      const root = await catalog.call('POST', '/api/catalog/categories', {
        token: admin,
        body: { slug, name: 'Garden' },
      });
      const leaf = await catalog.call('POST', '/api/catalog/categories', {
        token: admin,
        body: { slug: `${slug}-tools`, name: 'Tools', parentId: root.body.id },
      });
      assert.equal(leaf.status, 201);
      const before = await tableCounts(catalog);
      assertProblem(
        await catalog.call('POST', '/api/catalog/categories', {
          token: admin,
          body: { slug, name: 'Again' },
        }),
        409,
        'category-slug-taken',
        ['slug'],
      );
      assertProblem(
        await catalog.call('PATCH', `/api/catalog/categories/${root.body.id}`, {
          token: admin,
          body: { parentId: leaf.body.id },
        }),
        400,
        'category-cycle',
        ['parentId'],
      );
      assertProblem(
        await catalog.call('DELETE', `/api/catalog/categories/${root.body.id}`, { token: admin }),
        409,
        'category-in-use',
      );
      for (const [body, field] of [
        [{ slug: 'Bad Slug', name: 'x' }, 'slug'],
        [{ slug: 'ok-slug', name: '' }, 'name'],
        [{ slug: 'ok-slug', name: 'x', parentId: 'nope' }, 'parentId'],
        [{ slug: 'ok-slug', name: 'x', extra: true }, 'body'],
      ] as const) {
        assertProblem(
          await catalog.call('POST', '/api/catalog/categories', { token: admin, body }),
          400,
          'validation',
          [field],
        );
      }
      assertProblem(
        await catalog.call('POST', '/api/catalog/categories', {
          token: seller,
          body: { slug: 'mine', name: 'Mine' },
        }),
        403,
        'forbidden',
      );
      assert.deepEqual(await tableCounts(catalog), before);

      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/categories/${leaf.body.id}`, { token: admin })).status,
        204,
      );
      const list = await catalog.call('GET', '/api/catalog/categories');
      assert.ok(!list.body.items.some((c: { id: string }) => c.id === leaf.body.id));
      assert.ok(list.body.items.some((c: { id: string }) => c.id === root.body.id));
    });
  });

  it('publishes its OpenAPI document and serves health', async () => {
    const doc = await catalog.call('GET', '/openapi.json');
    assert.equal(doc.status, 200);
    assert.ok(doc.body.paths['/api/catalog/products']);
    assert.equal((await catalog.call('GET', '/readyz')).status, 200);
  });
});
