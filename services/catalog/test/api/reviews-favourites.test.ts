// Reviews and favourites over REST, with purchases learned from real order.completed events on
// RabbitMQ: only buyers review, one review each, the average stays current, and no customer can see
// or touch another customer's favourites or reviews.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { queueDepth, waitFor } from '@shopstack/kit/testing';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct, tableCounts } from '../support/fixtures.js';
import { publishEvent } from '../support/rabbit.js';

describe('catalog REST: reviews, purchases and favourites', function () {
  this.timeout(60_000);
  let catalog: TestCatalog;
  let admin: string;
  const alice = { id: randomUUID(), token: '' };
  const bob = { id: randomUUID(), token: '' };
  const carol = { id: randomUUID(), token: '' };
  let support: string;
  let productId: string;
  let otherProductId: string;

  async function purchasesOf(userId: string): Promise<string[]> {
    const { rows } = await catalog.service.deps.pool.query<{ product_id: string }>(
      'select product_id from purchases where user_id = $1 order by product_id',
      [userId],
    );
    return rows.map((row) => row.product_id);
  }

  /** The rows' xmin: the transaction that last wrote each (a repeat that wrote would change it). */
  async function purchaseWrites(userId: string): Promise<string[]> {
    const { rows } = await catalog.service.deps.pool.query<{ tx: string }>(
      'select xmin::text as tx from purchases where user_id = $1 order by product_id',
      [userId],
    );
    return rows.map((row) => row.tx);
  }

  async function confirmOrder(
    userId: string,
    productIds: string[],
    { orderId = randomUUID(), messageId = randomUUID() } = {},
  ) {
    await publishEvent(
      catalog.exchange,
      'order.completed',
      {
        orderId,
        userId,
        confirmedAt: new Date().toISOString(),
        totalMinor: '2000',
        currency: 'EUR',
        lines: productIds.map((id) => ({
          productId: id,
          quantity: 1,
          unitPriceMinor: '1000',
          currency: 'EUR',
        })),
      },
      messageId,
    );
    return { orderId, messageId };
  }

  async function rating(id = productId) {
    const read = await catalog.call('GET', `/api/catalog/products/${id}`);
    return read.body.rating as { average: number; count: number };
  }

  before(async () => {
    catalog = await startTestCatalog();
    admin = await catalog.issuer.token(randomUUID(), 'admin');
    support = await catalog.issuer.token(randomUUID(), 'support');
    for (const user of [alice, bob, carol]) user.token = await catalog.issuer.token(user.id, 'customer');
    productId = (await createProduct(catalog, admin, { name: 'Kettle' })).id;
    otherProductId = (await createProduct(catalog, admin, { name: 'Toaster' })).id;
  });

  after(async () => {
    await catalog?.stop();
  });

  describe('purchases from order.completed', () => {
    it('records what a customer bought; the same event again changes nothing and writes nothing', async () => {
      const order = await confirmOrder(alice.id, [productId, otherProductId]);
      await waitFor(async () => (await purchasesOf(alice.id)).length === 2 || undefined, {
        what: 'alice purchases',
      });
      const written = await purchaseWrites(alice.id);
      // The same event under its message id (a relay republishing after a crash) and under a new one:
      // the purchases are known, so neither writes (the consumer keeps no inbox row either).
      await confirmOrder(alice.id, [productId, otherProductId], order);
      await confirmOrder(alice.id, [productId, otherProductId], { orderId: order.orderId });
      await confirmOrder(carol.id, [productId]);
      await waitFor(async () => (await purchasesOf(carol.id)).length === 1 || undefined, {
        what: 'carol purchase',
      });
      await waitFor(async () => (await queueDepth(catalog.queue)) === 0 || undefined, {
        what: 'every event taken',
      });
      assert.deepEqual(await purchasesOf(alice.id), [productId, otherProductId].sort());
      assert.deepEqual(await purchaseWrites(alice.id), written, 'a repeat wrote the purchase rows again');
      const { rows } = await catalog.service.deps.pool.query<{ handled: number }>(
        'select count(*)::int as handled from kit_inbox where message_id = $1',
        [order.messageId],
      );
      assert.equal(rows[0]?.handled, 0);
    });

    it('dead-letters a malformed event without recording anything', async () => {
      const before = await tableCounts(catalog);
      await publishEvent(
        catalog.exchange,
        'order.completed',
        { orderId: 'o', userId: bob.id, lines: 'none' },
        randomUUID(),
      );
      await waitFor(async () => (await queueDepth(`${catalog.queue}.dead`)) === 1 || undefined, {
        what: 'malformed event dead-lettered',
      });
      assert.deepEqual(await purchasesOf(bob.id), []);
      assert.deepEqual(await tableCounts(catalog), before);
    });
  });

  describe('reviews', () => {
    let aliceReview: string;
    let carolReview: string;

    it('only buyers may review: anyone else gets 403 and nothing is stored', async () => {
      const before = await tableCounts(catalog);
      const answer = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
        token: bob.token,
        body: { rating: 5, title: 'Great' },
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.type, 'https://shopstack.dev/problems/not-a-buyer');
      const anonymous = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
        body: { rating: 5 },
      });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it('bad review input is a 400 naming the field, and stores nothing', async () => {
      const before = await tableCounts(catalog);
      for (const [body, field] of [
        [{ rating: 0 }, 'rating'],
        [{ rating: 6 }, 'rating'],
        [{ rating: 4.5 }, 'rating'],
        [{ rating: '5' }, 'rating'],
        [{}, 'rating'],
        [{ rating: 4, title: 'x'.repeat(201) }, 'title'],
        [{ rating: 4, authorId: bob.id }, 'body'],
      ] as const) {
        const answer = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
          token: alice.token,
          body,
        });
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.type, 'https://shopstack.dev/problems/validation');
        assert.ok(
          answer.body.errors.some((e: { field: string }) => e.field === field),
          JSON.stringify(answer.body),
        );
      }
      const noProduct = await catalog.call('POST', '/api/catalog/products/not-a-uuid/reviews', {
        token: alice.token,
        body: { rating: 4 },
      });
      assert.equal(noProduct.status, 400);
      const unknown = await catalog.call('POST', `/api/catalog/products/${randomUUID()}/reviews`, {
        token: alice.token,
        body: { rating: 4 },
      });
      assert.equal(unknown.status, 404);
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it('one review per buyer per product, and the average follows every review', async () => {
      const first = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
        token: alice.token,
        body: { rating: 4, title: 'Boils fast', body: 'Quiet too.' },
      });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      aliceReview = first.body.id;
      assert.deepEqual(await rating(), { average: 4, count: 1 });

      const again = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
        token: alice.token,
        body: { rating: 1 },
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.type, 'https://shopstack.dev/problems/review-exists');

      const carols = await catalog.call('POST', `/api/catalog/products/${productId}/reviews`, {
        token: carol.token,
        body: { rating: 5 },
      });
      assert.equal(carols.status, 201);
      carolReview = carols.body.id;
      assert.deepEqual(await rating(), { average: 4.5, count: 2 });

      const edited = await catalog.call('PATCH', `/api/catalog/reviews/${aliceReview}`, {
        token: alice.token,
        body: { rating: 2 },
      });
      assert.equal(edited.status, 200);
      assert.equal(edited.body.title, 'Boils fast');
      assert.deepEqual(await rating(), { average: 3.5, count: 2 });
    });

    it('a customer cannot edit or delete a review they did not write', async () => {
      const before = await tableCounts(catalog);
      for (const token of [bob.token, carol.token]) {
        const edit = await catalog.call('PATCH', `/api/catalog/reviews/${aliceReview}`, {
          token,
          body: { rating: 5 },
        });
        assert.equal(edit.status, 403);
        assert.equal(edit.body.type, 'https://shopstack.dev/problems/not-review-author');
        const remove = await catalog.call('DELETE', `/api/catalog/reviews/${aliceReview}`, { token });
        assert.equal(remove.status, 403);
      }
      // Moderators may remove, but not rewrite, someone's words.
      assert.equal(
        (
          await catalog.call('PATCH', `/api/catalog/reviews/${aliceReview}`, {
            token: support,
            body: { rating: 5 },
          })
        ).status,
        403,
      );
      assert.deepEqual(await tableCounts(catalog), before);
      assert.deepEqual(await rating(), { average: 3.5, count: 2 });
    });

    it('lists reviews publicly (with ETag) and "my reviews" holds only the caller’s own', async () => {
      const list = await catalog.call('GET', `/api/catalog/products/${productId}/reviews`);
      assert.equal(list.status, 200);
      assert.equal(list.body.total, 2);
      const etag = list.headers.get('etag')!;
      const cached = await catalog.call('GET', `/api/catalog/products/${productId}/reviews`, {
        headers: { 'if-none-match': etag },
      });
      assert.equal(cached.status, 304);
      const mine = await catalog.call('GET', '/api/catalog/me/reviews', { token: alice.token });
      assert.deepEqual(
        mine.body.items.map((r: { id: string }) => r.id),
        [aliceReview],
      );
      const bobs = await catalog.call('GET', '/api/catalog/me/reviews', { token: bob.token });
      assert.deepEqual(bobs.body.items, []);
      assert.equal((await catalog.call('GET', '/api/catalog/me/reviews')).status, 401);
    });

    it('authors and moderators delete reviews, and the average follows', async () => {
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/reviews/${aliceReview}`, { token: alice.token })).status,
        204,
      );
      assert.deepEqual(await rating(), { average: 5, count: 1 });
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/reviews/${carolReview}`, { token: support })).status,
        204,
      );
      assert.deepEqual(await rating(), { average: 0, count: 0 });
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/reviews/${carolReview}`, { token: support })).status,
        404,
      );
    });
  });

  describe('favourites', () => {
    it('adds idempotently and lists the caller’s own favourites only', async () => {
      const added = await catalog.call('PUT', `/api/catalog/me/favourites/${productId}`, {
        token: alice.token,
      });
      assert.equal(added.status, 201);
      assert.deepEqual(added.body, { productId });
      const again = await catalog.call('PUT', `/api/catalog/me/favourites/${productId}`, {
        token: alice.token,
      });
      assert.equal(again.status, 204);
      const aliceList = await catalog.call('GET', '/api/catalog/me/favourites', { token: alice.token });
      assert.deepEqual(
        aliceList.body.items.map((f: { product: { id: string } }) => f.product.id),
        [productId],
      );
      const bobList = await catalog.call('GET', '/api/catalog/me/favourites', { token: bob.token });
      assert.equal(bobList.status, 200);
      assert.deepEqual(bobList.body.items, []);
      assert.equal(bobList.body.total, 0);
    });

    it("a customer's removal only ever touches their own list", async () => {
      const removed = await catalog.call('DELETE', `/api/catalog/me/favourites/${productId}`, {
        token: bob.token,
      });
      assert.equal(removed.status, 204);
      const aliceList = await catalog.call('GET', '/api/catalog/me/favourites', { token: alice.token });
      assert.equal(aliceList.body.total, 1);
      const { rows } = await catalog.service.deps.pool.query(
        'select user_id from favourites where product_id = $1',
        [productId],
      );
      assert.deepEqual(rows, [{ user_id: alice.id }]);
    });

    it('bad or unknown products are 400 / 404 and change nothing; anonymous is 401', async () => {
      const before = await tableCounts(catalog);
      assert.equal(
        (await catalog.call('PUT', '/api/catalog/me/favourites/not-a-uuid', { token: bob.token })).status,
        400,
      );
      assert.equal(
        (await catalog.call('PUT', `/api/catalog/me/favourites/${randomUUID()}`, { token: bob.token }))
          .status,
        404,
      );
      assert.equal((await catalog.call('PUT', `/api/catalog/me/favourites/${productId}`)).status, 401);
      assert.equal(
        (await catalog.call('GET', '/api/catalog/me/favourites?page=0', { token: bob.token })).status,
        400,
      );
      assert.deepEqual(await tableCounts(catalog), before);
    });

    it('removes a favourite for its owner', async () => {
      assert.equal(
        (await catalog.call('DELETE', `/api/catalog/me/favourites/${productId}`, { token: alice.token }))
          .status,
        204,
      );
      const aliceList = await catalog.call('GET', '/api/catalog/me/favourites', { token: alice.token });
      assert.deepEqual(aliceList.body.items, []);
    });
  });
});
