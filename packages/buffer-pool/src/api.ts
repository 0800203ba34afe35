/**
 * The types of `@mmapkit/buffer-pool`. Behaviour lives in the other modules; this file only
 * says what things are.
 *
 * @packageDocumentation
 */

import type { BackendOption } from 'mmapkit';

/** Options of `BufferPool.open()`. */
export interface BufferPoolOptions extends BackendOption {
  /**
   * Bytes per page: a power of two, at least 4096 and a multiple of the OS page size.
   * Page `n` covers file bytes `[n × pageSize, (n + 1) × pageSize)`.
   * @defaultValue `4096`
   */
  pageSize?: number;
  /**
   * The most memory the pool keeps resident, in bytes (rounded down to whole pages, at least
   * one page). Pages past it are evicted (clock, second chance) before new ones are loaded.
   * @defaultValue `64 MiB`, or the file's size when it is smaller
   */
  poolBytes?: number;
  /**
   * Open the file read-only: `pinExclusive()` and `markDirty()` throw `ERR_POOL_READ_ONLY`.
   * @defaultValue `false`
   */
  readOnly?: boolean;
  /**
   * Put the frames in shared memory (`SharedMemory`, memfd on Linux) and the page states in
   * a `SharedArrayBuffer`, so worker threads can `attach()` to the same pool with
   * `pool.share()`. Eviction then punches holes (`MADV_REMOVE`) instead of `MADV_DONTNEED`.
   * @defaultValue `false`
   */
  shared?: boolean;
  /**
   * Read pages with `O_DIRECT` (Linux), so a page lives once in memory, in its frame, and
   * not also in the kernel's page cache; writes stay buffered. Fails with `ERR_MMAP_SYSTEM`
   * (`EINVAL`) on file systems without direct I/O (tmpfs). The option `BufferPool.attach()`
   * handles use is the creator's.
   * @defaultValue `false`
   */
  directIo?: boolean;
  /**
   * Pages evicted together when the pool is full (at most the pool's page count).
   * @defaultValue `64`
   */
  evictionBatch?: number;
  /**
   * How long a pin waits for a page another thread holds exclusively (or for a frame while
   * other threads are evicting) before it throws `ERR_POOL_LOCK_TIMEOUT` /
   * `ERR_POOL_EXHAUSTED`, in milliseconds. Single-thread pools never wait.
   * @defaultValue `5000`
   */
  lockTimeoutMs?: number;
}

/** Counters of one pool handle (`stats()`). */
export interface BufferPoolStats {
  /** Pins and reads served from a resident page, by this handle. */
  readonly hits: number;
  /** Pages this handle loaded from the file. */
  readonly misses: number;
  /** Pages this handle evicted (written back first when dirty). */
  readonly evictions: number;
  /** Times this handle had to wait: for a page another thread was loading or held exclusively, or for a frame. */
  readonly stalls: number;
  /** Dirty pages in the whole pool (not yet written by `flush()` or eviction). */
  readonly dirtyPages: number;
  /** Resident pages in the whole pool. */
  readonly residentPages: number;
  /** `residentPages × pageSize`. */
  readonly residentBytes: number;
  /** The pool's capacity in bytes (`poolPages × pageSize`). */
  readonly poolBytes: number;
}

/** A run of pages: `count` pages from page `first`. */
export interface PageRange {
  /** @defaultValue `0` */
  first?: number;
  /** @defaultValue to the last page */
  count?: number;
}

/**
 * Everything a worker thread needs to `BufferPool.attach()` to a shared pool: plain data
 * and one `SharedArrayBuffer`, so it passes through `postMessage` / `workerData`.
 * The descriptor `memoryFd` is a number in this process's descriptor table (worker threads
 * share it); it stays valid until the pool that made the descriptor is closed.
 */
export interface SharedPoolDescriptor {
  readonly path: string;
  readonly pageSize: number;
  readonly pageCount: number;
  readonly poolPages: number;
  readonly fileSize: number;
  readonly readOnly: boolean;
  readonly directIo: boolean;
  readonly evictionBatch: number;
  readonly lockTimeoutMs: number;
  readonly backend: string;
  readonly memoryFd: number;
  readonly state: SharedArrayBuffer;
}
