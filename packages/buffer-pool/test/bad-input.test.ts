import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../src/index.js';
import { asyncCodeOf, codeOf, poolBackends, scratch } from './support/fixtures.js';

const folder = scratch();
afterAll(() => folder.remove());

const pageSize = 4096;
const path = folder.file('data.bin');
writeFileSync(path, new Uint8Array(10 * pageSize).fill(5));
const empty = folder.file('empty.bin');
writeFileSync(empty, new Uint8Array(0));
const backend = poolBackends[0];

describe('bad arguments of BufferPool.open() are typed errors naming the argument', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['a number as path', () => BufferPool.open(42 as unknown as string), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['an empty path', () => BufferPool.open(''), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['pageSize not a power of two', () => BufferPool.open(path, { pageSize: 6144 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['pageSize below 4096', () => BufferPool.open(path, { pageSize: 2048 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['pageSize not an integer', () => BufferPool.open(path, { pageSize: 4096.5 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['a pool smaller than one page', () => BufferPool.open(path, { poolBytes: 4095 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['a pool of zero bytes', () => BufferPool.open(path, { poolBytes: 0 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['readOnly not a boolean', () => BufferPool.open(path, { readOnly: 'yes' as unknown as boolean }), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['an unknown option', () => BufferPool.open(path, { poolSize: 1 } as never), 'TypeError:ERR_INVALID_ARG_VALUE'],
    ['an empty file', () => BufferPool.open(empty), 'RangeError:ERR_OUT_OF_RANGE'],
    ['a missing file', () => BufferPool.open(folder.file('missing.bin')), 'MmapError:ERR_MMAP_SYSTEM'],
    ['the fs backend (no madvise on its copies)', () => BufferPool.open(path, { backend: 'fallback-fs' }), 'BufferPoolError:ERR_POOL_UNSUPPORTED'],
    ['a descriptor that is not one', () => BufferPool.attach({} as never), 'TypeError:ERR_INVALID_ARG_TYPE'],
  ];
  it.each(cases)('%s', (_name, action, expected) => {
    const got = codeOf(action);
    // Unknown option keys: core's validateOptionsObject decides the exact code; it must be an argument error.
    if (expected === 'TypeError:ERR_INVALID_ARG_VALUE') expect(got).toMatch(/^(TypeError|RangeError):ERR_INVALID_ARG/);
    else expect(got).toBe(expected);
  });
});

describe('bad calls on an open pool throw typed errors and leave the pool working', () => {
  it('pages beyond the file, unpins of unpinned pages, self-deadlocks, read-only writes, closed pools', async () => {
    const pool = BufferPool.open(path, { poolBytes: 3 * pageSize, backend });
    expect(codeOf(() => pool.pin(10))).toBe('RangeError:ERR_OUT_OF_RANGE');
    expect(codeOf(() => pool.pin(-1))).toBe('RangeError:ERR_OUT_OF_RANGE');
    expect(codeOf(() => pool.pin(1.5))).toBe('RangeError:ERR_OUT_OF_RANGE');
    expect(codeOf(() => pool.pin('1' as unknown as number))).toBe('TypeError:ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => pool.unpin(2))).toBe('BufferPoolError:ERR_POOL_NOT_PINNED');
    expect(codeOf(() => pool.unpinExclusive(2))).toBe('BufferPoolError:ERR_POOL_NOT_PINNED');
    expect(codeOf(() => pool.markDirty(2))).toBe('BufferPoolError:ERR_POOL_NOT_PINNED');
    expect(codeOf(() => pool.read(2, 'reader' as never))).toBe('TypeError:ERR_INVALID_ARG_TYPE');
    expect(await asyncCodeOf(() => pool.prefetch({ first: 0, count: 11 }))).toBe('RangeError:ERR_OUT_OF_RANGE');
    expect(codeOf(() => pool.share())).toBe('BufferPoolError:ERR_POOL_NOT_SHARED');
    pool.pin(0);
    expect(codeOf(() => pool.pinExclusive(0))).toBe('BufferPoolError:ERR_POOL_ALREADY_PINNED');
    pool.unpin(0);
    expect(codeOf(() => pool.unpin(0))).toBe('BufferPoolError:ERR_POOL_NOT_PINNED');
    pool.pinExclusive(1);
    expect(codeOf(() => pool.pin(1))).toBe('BufferPoolError:ERR_POOL_ALREADY_PINNED');
    expect(codeOf(() => pool.pinExclusive(1))).toBe('BufferPoolError:ERR_POOL_ALREADY_PINNED');
    pool.unpinExclusive(1);
    // Still working: every page reads as the file.
    for (let page = 0; page < 10; page++) expect(pool.read(page, (frame) => frame.every((byte) => byte === 5))).toBe(true);
    pool.close();
    expect(codeOf(() => pool.pin(0))).toBe('BufferPoolError:ERR_POOL_CLOSED');
    expect(await asyncCodeOf(() => pool.pinAsync(0))).toBe('BufferPoolError:ERR_POOL_CLOSED');
    expect(codeOf(() => pool.close())).toBe('did not throw');
  });

  it('a read-only pool refuses writers with ERR_POOL_READ_ONLY', () => {
    const pool = BufferPool.open(path, { readOnly: true, backend });
    expect(codeOf(() => pool.pinExclusive(0))).toBe('BufferPoolError:ERR_POOL_READ_ONLY');
    expect(codeOf(() => pool.markDirty(0))).toBe('BufferPoolError:ERR_POOL_READ_ONLY');
    expect(pool.flush()).toBe(0);
    pool.close();
  });

  it.each([false, true])('pinning more pages than fit throws ERR_POOL_EXHAUSTED instead of waiting forever (shared: %s)', async (shared) => {
    const pool = BufferPool.open(path, { poolBytes: 3 * pageSize, backend, shared, lockTimeoutMs: 50 });
    for (let page = 0; page < 3; page++) pool.pin(page);
    expect(codeOf(() => pool.pin(3))).toBe('BufferPoolError:ERR_POOL_EXHAUSTED');
    expect(codeOf(() => pool.pinExclusive(4))).toBe('BufferPoolError:ERR_POOL_EXHAUSTED');
    expect(await asyncCodeOf(() => pool.pinAsync(5))).toBe('BufferPoolError:ERR_POOL_EXHAUSTED');
    expect(pool.isResident(3)).toBe(false);
    pool.unpin(0);
    expect(pool.pin(3)[0]).toBe(5);
    pool.close();
  });
});
