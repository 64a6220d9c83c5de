import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/controller/workqueue.js';

describe('WorkQueue', () => {
  it('holds a key once however often it is added', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.depth, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
    assert.equal(queue.depth, 0);
  });

  it('never hands a key to two workers: re-added while processing, it comes back after done()', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    assert.equal(queue.depth, 0, 'a key being processed must not be queued again yet');
    queue.done(first!);
    assert.equal(queue.depth, 1);
    assert.equal(await queue.get(), 'a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('late');
    assert.equal(await waiting, 'late');
  });

  it('backs off exponentially per key, capped, and forget() resets it', () => {
    const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited('k'));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
    assert.equal(queue.addRateLimited('other'), 100);
    queue.forget('k');
    assert.equal(queue.addRateLimited('k'), 100);
    queue.shutDown();
  });

  it('delivers delayed keys, keeping the earliest of two delays', async () => {
    const queue = new WorkQueue();
    queue.addAfter('k', 60_000);
    queue.addAfter('k', 10);
    assert.equal(await queue.get(), 'k');
    queue.shutDown();
  });

  it('releases waiting workers on shutdown', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('ignored');
    assert.equal(queue.depth, 0);
  });
});
