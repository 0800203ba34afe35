import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../src/index.js';
import { inspectPage } from './support/pages.mjs';
import { asyncCodeOf, checksummedFileAt, codeOf, poolBackends, scratch } from './support/fixtures.js';

const folder = scratch();
afterAll(() => folder.remove());

const pageSize = 4096;
const path = checksummedFileAt(folder.file('pages.bin'), 64, pageSize);

describe.each(poolBackends)('pinAsync() and prefetch() (%s)', (backend) => {
  it('pinAsync() loads a page on the thread pool; concurrent pins of one page share one load', async () => {
    const pool = BufferPool.open(path, { poolBytes: 16 * pageSize, backend });
    const frames = await Promise.all([pool.pinAsync(5), pool.pinAsync(5), pool.pinAsync(6)]);
    expect(frames.map((frame) => inspectPage(frame))).toEqual([
      { page: 5, version: 0, valid: true },
      { page: 5, version: 0, valid: true },
      { page: 6, version: 0, valid: true },
    ]);
    expect(pool.stats().misses).toBe(2);
    pool.unpin(5);
    pool.unpin(5);
    pool.unpin(6);
    expect(codeOf(() => pool.unpin(5))).toBe('BufferPoolError:ERR_POOL_NOT_PINNED');
    pool.close();
  });

  it('a synchronous pin of a page this handle is loading asynchronously throws ERR_POOL_BUSY', async () => {
    const pool = BufferPool.open(path, { backend });
    const loading = pool.pinAsync(9);
    expect(codeOf(() => pool.pin(9))).toBe('BufferPoolError:ERR_POOL_BUSY');
    await loading;
    pool.unpin(9);
    pool.close();
  });

  it('prefetch() makes a range resident without pinning it; more than the pool evicts the first pages again', async () => {
    const pool = BufferPool.open(path, { poolBytes: 16 * pageSize, evictionBatch: 4, backend });
    await pool.prefetch({ first: 10, count: 8 });
    for (let page = 10; page < 18; page++) expect(pool.isResident(page)).toBe(true);
    expect(pool.isResident(9)).toBe(false);
    await pool.prefetch();
    expect(pool.stats().residentPages).toBeLessThanOrEqual(16);
    expect(pool.isResident(63)).toBe(true);
    pool.close();
  });

  it('close() while a pinAsync() is loading rejects it with ERR_POOL_CLOSED and never unmaps under the read', async () => {
    const pool = BufferPool.open(path, { backend });
    const pending = [20, 21, 22, 23].map((page) => asyncCodeOf(() => pool.pinAsync(page)));
    pool.close();
    expect(await Promise.all(pending)).toEqual(Array(4).fill('BufferPoolError:ERR_POOL_CLOSED'));
    // The file was closed after the loads settled: a new pool reads it fine.
    const again = BufferPool.open(path, { backend });
    expect(again.read(21, (frame) => inspectPage(frame).valid)).toBe(true);
    again.close();
  });
});
