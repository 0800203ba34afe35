import { readFileSync, writeFileSync } from 'node:fs';
import { seededBytes, seededRandom } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool, BufferPoolError } from '../src/index.js';
import { full, poolBackends, scratch } from './support/fixtures.js';

const folder = scratch();
afterAll(() => folder.remove());

const pageSize = 4096;
/** 40 pages and a half: the last page is partial. */
const fileSize = 40 * pageSize + 1234;
const pageCount = Math.ceil(fileSize / pageSize);
const poolPages = 6;
const steps = full ? 40_000 : 4_000;

/** The bytes of `page` in the model of the file, padded with zeros to a whole page as the frame reads. */
function modelPage(model: Uint8Array, page: number): Uint8Array {
  const frame = new Uint8Array(pageSize);
  frame.set(model.subarray(page * pageSize, Math.min(fileSize, (page + 1) * pageSize)));
  return frame;
}

interface Run {
  readonly pool: BufferPool;
  readonly model: Uint8Array;
  readonly random: () => number;
  /** Shared pins this handle holds, page → count. */
  readonly pinned: Map<number, number>;
  readonly path: string;
}

function pickPage(run: Run): number {
  return Math.floor(run.random() * pageCount);
}

function heldPages(run: Run): number {
  return run.pinned.size;
}

/** A pin that must throw ERR_POOL_EXHAUSTED exactly when every frame holds a pinned page and the page is not resident. */
function stepPin(run: Run): void {
  const page = pickPage(run);
  const resident = run.pool.isResident(page);
  const mustExhaust = !resident && heldPages(run) === poolPages;
  let frame: Uint8Array;
  try {
    frame = run.pool.pin(page);
  } catch (error) {
    if (mustExhaust && BufferPoolError.isInstance(error) && error.code === 'ERR_POOL_EXHAUSTED') return;
    throw error;
  }
  expect(mustExhaust, `pin(${page}) succeeded with every frame pinned`).toBe(false);
  expect(Buffer.compare(frame, modelPage(run.model, page)), `page ${page} after pin`).toBe(0);
  run.pinned.set(page, (run.pinned.get(page) ?? 0) + 1);
}

function stepUnpin(run: Run): void {
  const pages = [...run.pinned.keys()];
  if (pages.length === 0) return;
  const page = pages[Math.floor(run.random() * pages.length)] as number;
  run.pool.unpin(page);
  const count = (run.pinned.get(page) ?? 0) - 1;
  if (count === 0) run.pinned.delete(page);
  else run.pinned.set(page, count);
}

/** Changes a few bytes of a page this handle does not pin, marks it dirty (or, sometimes, writes nothing). */
function stepWrite(run: Run): void {
  const page = pickPage(run);
  if (run.pinned.has(page)) return;
  if (!run.pool.isResident(page) && heldPages(run) === poolPages) return;
  const frame = run.pool.pinExclusive(page);
  const length = Math.min(fileSize - page * pageSize, pageSize);
  const start = Math.floor(run.random() * length);
  const patch = seededBytes(Math.min(64, length - start), Math.floor(run.random() * 2 ** 31));
  frame.set(patch, start);
  run.model.set(patch, page * pageSize + start);
  run.pool.markDirty(page);
  run.pool.unpinExclusive(page);
}

function stepRead(run: Run): void {
  const page = pickPage(run);
  if (!run.pool.isResident(page) && heldPages(run) === poolPages) return;
  const expected = modelPage(run.model, page);
  const equal = run.pool.read(page, (frame) => Buffer.compare(frame, expected) === 0);
  expect(equal, `read(${page})`).toBe(true);
}

function stepFlush(run: Run): void {
  run.pool.flush();
  expect(run.pool.stats().dirtyPages).toBe(0);
  expect(Buffer.compare(readFileSync(run.path), run.model), 'the file after flush()').toBe(0);
}

function stepEvict(run: Run): void {
  const page = pickPage(run);
  const evicted = run.pool.evict(page);
  if (run.pinned.has(page)) expect(evicted, `evict(${page}) of a pinned page`).toBe(false);
  if (evicted) expect(run.pool.isResident(page)).toBe(false);
}

/** Weighted operations: pins and unpins most, flushes rarely. */
const operations: Array<[number, (run: Run) => void]> = [
  [30, stepPin],
  [30, stepUnpin],
  [15, stepWrite],
  [15, stepRead],
  [8, stepEvict],
  [2, stepFlush],
];

function step(run: Run): void {
  let roll = run.random() * 100;
  for (const [weight, operation] of operations) {
    if (roll < weight) return operation(run);
    roll -= weight;
  }
}

const variants = poolBackends.flatMap((backend) => [false, true].map((shared) => ({ backend, shared, directIo: false })));
if (poolBackends[0] !== undefined) variants.push({ backend: poolBackends[0], shared: false, directIo: true });

/** Opens the pool; a file system without O_DIRECT (tmpfs) must refuse directIo with ERR_MMAP_SYSTEM, and the run ends there. */
function openPool(path: string, backend: string, shared: boolean, directIo: boolean): BufferPool | undefined {
  try {
    return BufferPool.open(path, { poolBytes: poolPages * pageSize, evictionBatch: 2, backend: backend as 'native-napi', shared, directIo, lockTimeoutMs: 0 });
  } catch (error) {
    if (directIo && (error as { code?: string }).code === 'ERR_MMAP_SYSTEM' && (error as { errno?: unknown }).errno !== undefined) return undefined;
    throw error;
  }
}

describe.each(variants)(
  'random pin/unpin/write/read/evict/flush sequences on $backend (shared: $shared, directIo: $directIo)',
  ({ backend, shared, directIo }) => {
    it(`the pool's pages, the file after every flush() and the file after close() always equal the model (${steps} steps)`, () => {
      const path = folder.file(`model-${backend}-${String(shared)}-${String(directIo)}.bin`);
      const model = seededBytes(fileSize, 7);
      writeFileSync(path, model);
      const pool = openPool(path, backend, shared, directIo);
      if (pool === undefined) return; // no O_DIRECT on this file system: refused with a typed error, checked above
      const run: Run = { pool, model, random: seededRandom(shared ? 1 : 2), pinned: new Map(), path };
      for (let index = 0; index < steps; index++) {
        step(run);
        const stats = pool.stats();
        expect(stats.residentPages).toBeLessThanOrEqual(poolPages);
      }
      const stats = pool.stats();
      expect(stats.misses).toBeGreaterThan(pageCount);
      expect(stats.evictions).toBeGreaterThan(0);
      pool.close();
      expect(Buffer.compare(readFileSync(path), model), 'the file after close()').toBe(0);
    });
  },
);
