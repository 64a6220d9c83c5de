// Smaller pure rules: money parsing, ratings, category cycles, ownership, ETag matching, sorting.
import assert from 'node:assert/strict';
import type { AuthenticatedUser } from '@shopstack/kit';
import { etagOf, matchesIfNoneMatch } from '../../src/api/http/etag.js';
import { ProductSearchQuery } from '../../src/api/http/schemas.js';
import { wouldCreateCycle } from '../../src/domain/category.js';
import { isCurrency, MAX_PRICE_MINOR, parseMinorUnits } from '../../src/domain/money.js';
import { averageRating, ratingDelta } from '../../src/domain/rating.js';
import { canManageProduct, canRemoveReview } from '../../src/domain/roles.js';
import { effectiveSort, pageOffset } from '../../src/domain/search.js';

const user = (id: string, role: string): AuthenticatedUser => ({
  id,
  role,
  sessionId: undefined,
  scopes: undefined,
  claims: {},
});

describe('catalog domain: money', () => {
  it('reads minor units from digit strings and safe integers as bigint', () => {
    assert.equal(parseMinorUnits('1999'), 1999n);
    assert.equal(parseMinorUnits(0), 0n);
    assert.equal(parseMinorUnits(MAX_PRICE_MINOR.toString()), MAX_PRICE_MINOR);
  });

  it('refuses fractions, negatives, exponents, floats and amounts over the maximum', () => {
    for (const bad of [
      '19.99',
      '-1',
      '1e3',
      '',
      ' 1',
      12.5,
      -1,
      Number.MAX_SAFE_INTEGER + 2,
      (MAX_PRICE_MINOR + 1n).toString(),
      null,
    ])
      assert.equal(parseMinorUnits(bad), undefined, String(bad));
  });

  it('knows ISO currency codes by shape', () => {
    assert.ok(isCurrency('EUR'));
    assert.ok(!isCurrency('eur'));
    assert.ok(!isCurrency('EURO'));
  });
});

describe('catalog domain: ratings', () => {
  it('averages exactly from sum and count, rounded to two decimals, 0 without reviews', () => {
    assert.equal(averageRating({ sum: 0, count: 0 }), 0);
    assert.equal(averageRating({ sum: 14, count: 3 }), 4.67);
    assert.equal(averageRating({ sum: 5, count: 1 }), 5);
  });

  it('turns add, edit and remove into deltas of sum and count', () => {
    assert.deepEqual(ratingDelta(undefined, 4), { sum: 4, count: 1 });
    assert.deepEqual(ratingDelta(4, 2), { sum: -2, count: 0 });
    assert.deepEqual(ratingDelta(2, undefined), { sum: -2, count: -1 });
  });
});

describe('catalog domain: categories, roles, search', () => {
  const tree = new Map<string, string | null>([
    ['root', null],
    ['child', 'root'],
    ['grandchild', 'child'],
  ]);

  it('refuses to put a category under itself or one of its descendants', () => {
    assert.ok(wouldCreateCycle('root', 'grandchild', tree));
    assert.ok(wouldCreateCycle('child', 'child', tree));
    assert.ok(!wouldCreateCycle('grandchild', 'root', tree));
    assert.ok(!wouldCreateCycle('child', null, tree));
  });

  it('lets admins manage any product and sellers only their own; customers none', () => {
    assert.ok(canManageProduct(user('a', 'admin'), 'someone'));
    assert.ok(canManageProduct(user('s', 'seller'), 's'));
    assert.ok(!canManageProduct(user('s', 'seller'), 'other'));
    assert.ok(!canManageProduct(user('c', 'customer'), 'c'));
  });

  it('lets authors and moderators remove a review, nobody else', () => {
    assert.ok(canRemoveReview(user('c', 'customer'), 'c'));
    assert.ok(canRemoveReview(user('s', 'support'), 'c'));
    assert.ok(!canRemoveReview(user('d', 'customer'), 'c'));
    assert.ok(!canRemoveReview(user('s', 'seller'), 'c'));
  });

  it('falls back from relevance to newest without a text query, and pages from 1', () => {
    assert.equal(effectiveSort({ sort: 'relevance', text: undefined }), 'newest');
    assert.equal(effectiveSort({ sort: 'relevance', text: 'lamp' }), 'relevance');
    assert.equal(pageOffset(3, 20), 40);
  });

  it('rejects unknown query parameters and an inverted price range, naming the fields', () => {
    const unknown = ProductSearchQuery.safeParse({ colour: 'red' });
    assert.ok(!unknown.success);
    const inverted = ProductSearchQuery.safeParse({ minPrice: '500', maxPrice: '100' });
    assert.ok(!inverted.success);
    assert.deepEqual(inverted.error.issues.map((i) => i.path.join('.')).sort(), ['maxPrice', 'minPrice']);
  });
});

describe('catalog API: ETags', () => {
  it('changes the tag when the representation changes and matches lists, weak tags and *', () => {
    const tag = etagOf({ price: '100' });
    assert.notEqual(tag, etagOf({ price: '101' }));
    assert.ok(matchesIfNoneMatch(tag, tag));
    assert.ok(matchesIfNoneMatch(`"other", W/${tag}`, tag));
    assert.ok(matchesIfNoneMatch('*', tag));
    assert.ok(!matchesIfNoneMatch('"other"', tag));
    assert.ok(!matchesIfNoneMatch('', tag));
  });
});
