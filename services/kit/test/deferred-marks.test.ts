// Deferred outbox marks, without a database: keys wait in memory (and are reported pending) until one
// write marks them all; a failed write keeps them for the next; past the cap a mark writes at once.
import assert from 'node:assert/strict';
import { DeferredMarks } from '../src/messaging/deferred-marks.js';

describe('kit: deferred outbox marks', () => {
  it('writes every key added within the delay in one write, and keeps them pending until then', async () => {
    const writes: string[][] = [];
    const marks = new DeferredMarks(async (keys) => void writes.push(keys), 60_000);
    await marks.add(['a', 'b']);
    await marks.add(['c']);
    assert.deepEqual(writes, []);
    assert.deepEqual(marks.pending(), ['a', 'b', 'c']);
    await marks.flush();
    assert.deepEqual(writes, [['a', 'b', 'c']]);
    assert.deepEqual(marks.pending(), []);
    await marks.flush();
    assert.equal(writes.length, 1, 'nothing left to write');
  });

  it('writes on its own once the delay has passed', async () => {
    const writes: string[][] = [];
    const marks = new DeferredMarks(async (keys) => void writes.push(keys), 20);
    await marks.add(['a']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(writes, [['a']]);
  });

  it('keeps the keys of a failed write pending, and writes them with the next', async () => {
    const writes: string[][] = [];
    let fail = true;
    const marks = new DeferredMarks(async (keys) => {
      if (fail) throw new Error('database unreachable');
      writes.push(keys);
    }, 60_000);
    await marks.add(['a']);
    await assert.rejects(marks.flush(), /unreachable/);
    assert.deepEqual(marks.pending(), ['a']);
    fail = false;
    await marks.add(['b']);
    await marks.flush();
    assert.deepEqual(writes, [['a', 'b']]);
  });

  it('writes at once with no delay, or when a thousand keys wait', async () => {
    const writes: number[] = [];
    const now = new DeferredMarks(async (keys) => void writes.push(keys.length), 0);
    await now.add(['a']);
    assert.deepEqual(writes, [1]);
    const capped = new DeferredMarks(async (keys) => void writes.push(keys.length), 60_000);
    await capped.add(Array.from({ length: 999 }, (_, i) => `k${i}`));
    assert.deepEqual(writes, [1]);
    await capped.add(['last']);
    assert.deepEqual(writes, [1, 1_000]);
  });
});
