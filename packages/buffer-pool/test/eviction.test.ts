import { readFileSync, writeFileSync } from 'node:fs';
import { runNodeScript } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../src/index.js';
import { inspectPage } from './support/pages.mjs';
import { checksummedFileAt, poolBackends, scratch } from './support/fixtures.js';

const folder = scratch();
afterAll(() => folder.remove());

const pageSize = 4096;
const pages = 200;
const path = checksummedFileAt(folder.file('pages.bin'), pages, pageSize);

describe.each(poolBackends)('eviction under a tiny pool (%s)', (backend) => {
  it('a scan of 50x the pool keeps at most poolPages resident and every page reads right', () => {
    const pool = BufferPool.open(path, { poolBytes: 4 * pageSize, evictionBatch: 2, backend });
    for (let page = 0; page < pages; page++) {
      const frame = pool.pin(page);
      expect(inspectPage(frame)).toEqual({ page, version: 0, valid: true });
      pool.unpin(page);
      expect(pool.stats().residentPages).toBeLessThanOrEqual(4);
    }
    const stats = pool.stats();
    expect(stats.misses).toBe(pages);
    expect(stats.evictions).toBeGreaterThanOrEqual(pages - 4);
    pool.close();
  });

  it('a page in use between every miss gets its second chance: after the first sweep it is never evicted', () => {
    const pool = BufferPool.open(path, { poolBytes: 8 * pageSize, evictionBatch: 1, backend });
    for (let page = 1; page < pages; page++) {
      pool.pin(0);
      pool.unpin(0);
      pool.pin(page);
      pool.unpin(page);
      // The first sweep finds every page used since it was loaded (FIFO, as any clock); after it, page 0 stays.
      if (page >= 16) expect(pool.isResident(0), `page 0 after page ${page}`).toBe(true);
    }
    expect(pool.stats().misses).toBeLessThanOrEqual(pages + 1);
    pool.close();
  });

  it('a dirty page is written back to the file when it is evicted, before any flush()', () => {
    const copy = folder.file(`dirty-${backend}.bin`);
    writeFileSync(copy, readFileSync(path));
    const pool = BufferPool.open(copy, { poolBytes: 4 * pageSize, evictionBatch: 1, backend });
    const frame = pool.pinExclusive(7);
    frame.fill(0xab, 100, 200);
    pool.markDirty(7);
    pool.unpinExclusive(7);
    expect(pool.stats().dirtyPages).toBe(1);
    for (let page = 20; page < 40; page++) {
      pool.pin(page);
      pool.unpin(page);
    }
    expect(pool.isResident(7)).toBe(false);
    expect(pool.stats().dirtyPages).toBe(0);
    expect(readFileSync(copy).subarray(7 * pageSize + 100, 7 * pageSize + 200).every((byte) => byte === 0xab)).toBe(true);
    expect(pool.read(7, (view) => view[150])).toBe(0xab);
    pool.close();
  });
});

describe.each(poolBackends.flatMap((backend) => [false, true].map((shared) => ({ backend, shared }))))(
  'memory goes back to the kernel on eviction ($backend, shared: $shared)',
  ({ backend, shared }) => {
    it('reading a file 16x the pool grows the resident set by at most the pool plus slack (in a child process)', async () => {
      const big = folder.file(`big-${backend}-${String(shared)}.bin`);
      writeFileSync(big, new Uint8Array(64 * 2 ** 20).fill(1));
      const source = `
        import { readFileSync } from 'node:fs';
        import { BufferPool } from '@mmapkit/buffer-pool';
        const field = (name) => Number(/${'$'}{name}:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
        const resident = () => field('RssAnon') + field('RssShmem');
        const pool = BufferPool.open(process.argv[1], { poolBytes: 4 * 2 ** 20, backend: process.argv[2], shared: process.argv[3] === 'true' });
        const before = resident();
        let peak = 0;
        for (let page = 0; page < pool.pageCount; page++) {
          pool.read(page, (frame) => frame[0]);
          if (page % 256 === 0) peak = Math.max(peak, resident() - before);
        }
        peak = Math.max(peak, resident() - before);
        console.log(JSON.stringify({ peak, poolBytes: pool.stats().poolBytes, evictions: pool.stats().evictions }));
        pool.close();`;
      const run = await runNodeScript([], source, { args: [big, backend, String(shared)], cwd: new URL('.', import.meta.url) });
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout.trim()) as { peak: number; poolBytes: number; evictions: number };
      expect(report.evictions).toBeGreaterThan(0);
      expect(report.peak).toBeLessThanOrEqual(report.poolBytes + 2 * 2 ** 20);
    });
  },
);
