/**
 * `BufferPool`: a vmcache-style page cache over a data file. Frames live in virtual memory
 * as large as the file (page `n` at `n × pageSize`); which pages are resident is decided
 * here, not by the kernel's page cache: at most `poolPages` at a time, evicted by a clock
 * sweep and returned with `madvise`.
 *
 * @packageDocumentation
 */

import { backendFor, pageSize as osPageSize, type Backend, type BackendName } from 'mmapkit';
import type { BufferPoolOptions, BufferPoolStats, PageRange, SharedPoolDescriptor } from './api.js';
import type { PoolContext } from './context.js';
import { BufferPoolError } from './errors.js';
import { evictPage } from './eviction.js';
import { PoolFile } from './file-io.js';
import { flushDirty } from './flush.js';
import { checkBackendSupport, Frames } from './frames.js';
import { loadAsync, loadSync } from './loading.js';
import { evicted, exclusive, marked, maxShared, nextVersion, releaseExclusive, releaseShared, stateOf, tryExclusive, tryShare, unlocked, versionOf, withState } from './page-state.js';
import { PinTable } from './pins.js';
import { SharedState } from './shared-state.js';
import { checkDescriptor, checkFileSize, checkFunction, checkOpenArguments, checkPage, checkPageRange, poolPagesFor } from './validate.js';

/** Optimistic attempts of `read()` before it falls back to a shared pin. */
const optimisticAttempts = 4;
/** Pages `prefetch()` loads at once. */
const prefetchConcurrency = 8;

interface PoolParts {
  readonly context: PoolContext;
  readonly backend: Backend;
  readonly readOnly: boolean;
}

/**
 * A buffer pool over one data file.
 *
 * @example
 * ```ts
 * import { BufferPool } from '@mmapkit/buffer-pool';
 * using pool = BufferPool.open('table.db', { poolBytes: 256 * 1024 * 1024 });
 * const page = pool.pin(42);          // loads page 42 if needed
 * const first = page[0];
 * pool.unpin(42);
 * const frame = pool.pinExclusive(7); // a writer
 * frame[0] = 1;
 * pool.markDirty(7);
 * pool.unpinExclusive(7);
 * pool.flush();                       // pwrite in offset order + fsync
 * ```
 */
export class BufferPool implements Disposable {
  readonly #context: PoolContext;
  readonly #backend: Backend;
  readonly #readOnly: boolean;
  readonly #pins = new PinTable();
  #closed = false;

  private constructor(parts: PoolParts) {
    this.#context = parts.context;
    this.#backend = parts.backend;
    this.#readOnly = parts.readOnly;
  }

  /**
   * Opens a pool over the file at `path`.
   *
   * @param path - the data file (a path or a file URL); its size fixes the page count
   * @param options - `pageSize` (default 4096), `poolBytes` (default 64 MiB or the file's
   *   size), `readOnly` (default false), `shared` (default false), `evictionBatch` (default
   *   64), `lockTimeoutMs` (default 5000), `backend` (default: mmapkit's choice)
   *
   * # Errors
   * `TypeError`/`RangeError` (core's `MmapTypeError`/`MmapRangeError`) naming a bad
   * argument: a `pageSize` that is not a power of two >= 4096, a `poolBytes` below one page,
   * an empty file. `BufferPoolError` `ERR_POOL_UNSUPPORTED` for a backend without zero-copy
   * views and `MADV_DONTNEED`/`MADV_REMOVE` (fallback-fs). `MmapError` `ERR_MMAP_SYSTEM`
   * from the operating system (for example `ENOENT`).
   *
   * @example
   * ```ts
   * const pool = BufferPool.open('index.db', { pageSize: 8192, poolBytes: 1 << 30, readOnly: true });
   * ```
   */
  static open(path: string | URL, options: BufferPoolOptions = {}): BufferPool {
    // Validate arguments and check the backend before touching the file.
    const checked = checkOpenArguments(path, options, osPageSize);
    const backend = backendFor(checked.backend);
    checkBackendSupport(backend, checked.shared ? 'shared' : 'private');
    // Open the file, then reserve frames as large as it and the shared state.
    const file = PoolFile.open(checked.path, checked.pageSize, checked.readOnly, checked.directIo);
    try {
      checkFileSize(checked.path, file.size);
      const poolPages = poolPagesFor(checked, file.pageCount);
      const byteLength = file.pageCount * checked.pageSize;
      const frames = checked.shared ? Frames.createShared(backend, byteLength, checked.pageSize) : Frames.createPrivate(backend, byteLength, checked.pageSize);
      const context: PoolContext = {
        state: SharedState.create(file.pageCount, poolPages),
        frames,
        file,
        evictionBatch: Math.min(checked.evictionBatch, poolPages),
        lockTimeoutMs: checked.lockTimeoutMs,
        shared: checked.shared,
        counters: { hits: 0, misses: 0, evictions: 0, stalls: 0 },
      };
      return new BufferPool({ context, backend, readOnly: checked.readOnly });
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * Attaches this thread to a shared pool another thread opened (with `shared: true`) and
   * described with `share()`. The new handle maps the shared frames and opens the file
   * itself; page states, the frame table and dirty marks are the same for every handle.
   * Attach before the pool that made the descriptor is closed.
   *
   * # Errors
   * `TypeError` for something that is not a descriptor; `MmapError` `ERR_MMAP_SYSTEM`
   * (`EBADF`) when the creating pool was already closed.
   *
   * @example
   * ```ts
   * // main thread
   * const worker = new Worker('./worker.js', { workerData: pool.share() });
   * // worker.js
   * const pool = BufferPool.attach(workerData);
   * ```
   */
  static attach(descriptor: SharedPoolDescriptor): BufferPool {
    const checked = checkDescriptor(descriptor);
    const backend = backendFor(checked.backend as BackendName);
    checkBackendSupport(backend, 'shared');
    const file = PoolFile.open(checked.path, checked.pageSize, checked.readOnly, checked.directIo);
    try {
      const context: PoolContext = {
        state: SharedState.attach(checked.state, checked.pageCount, checked.poolPages),
        frames: Frames.attachShared(backend, checked.memoryFd, checked.pageSize),
        file,
        evictionBatch: checked.evictionBatch,
        lockTimeoutMs: checked.lockTimeoutMs,
        shared: true,
        counters: { hits: 0, misses: 0, evictions: 0, stalls: 0 },
      };
      return new BufferPool({ context, backend, readOnly: checked.readOnly });
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Bytes per page. */
  get pageSize(): number {
    return this.#context.file.pageSize;
  }

  /** Pages in the file (the last may be partial). */
  get pageCount(): number {
    return this.#context.file.pageCount;
  }

  /** Pages the pool keeps resident at most. */
  get poolPages(): number {
    return this.#context.state.poolPages;
  }

  /** The backend holding the frames. */
  get backend(): Backend {
    return this.#backend;
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Pins page `page` shared (readers) and returns its frame; loads it from the file first
   * when it is not resident (a read on this thread: use `pinAsync()` on the event loop).
   * Unpin with `unpin(page)`; the view is only valid while pinned.
   *
   * # Errors
   * `RangeError` for a page outside the file; `ERR_POOL_EXHAUSTED` when every frame holds a
   * pinned page; `ERR_POOL_ALREADY_PINNED` when this handle pinned the page exclusively;
   * `ERR_POOL_BUSY` when this handle's own `pinAsync()` is loading it;
   * `ERR_POOL_LOCK_TIMEOUT` when another thread holds it exclusively too long;
   * `ERR_POOL_CLOSED`.
   *
   * @example
   * ```ts
   * const bytes = pool.pin(3);
   * try { use(bytes); } finally { pool.unpin(3); }
   * ```
   */
  pin(page: number): Uint8Array {
    this.#assertOpen('pin');
    const checked = checkPage(page, this.pageCount);
    this.#pins.assertNoSelfConflict(checked, 'shared');
    this.#acquire(checked, 'shared');
    this.#pins.addShared(checked);
    return this.#context.frames.view(checked);
  }

  /**
   * Releases one shared pin of `page`.
   *
   * # Errors
   * `ERR_POOL_NOT_PINNED` when this handle holds no shared pin of it; `RangeError` for a
   * page outside the file.
   */
  unpin(page: number): void {
    this.#assertOpen('unpin');
    const checked = checkPage(page, this.pageCount);
    this.#pins.removeShared(checked);
    releaseShared(this.#context.state.states, checked);
  }

  /**
   * Pins `page` exclusively (a writer: no other pin or optimistic read sees it until
   * `unpinExclusive()`), loading it first when needed. Call `markDirty()` after changing it.
   *
   * # Errors
   * As `pin()`, plus `ERR_POOL_READ_ONLY` and `ERR_POOL_ALREADY_PINNED` when this handle
   * holds any pin of the page.
   *
   * @example
   * ```ts
   * const frame = pool.pinExclusive(9);
   * frame.set(record, 128);
   * pool.markDirty(9);
   * pool.unpinExclusive(9);
   * ```
   */
  pinExclusive(page: number): Uint8Array {
    this.#assertOpen('pinExclusive');
    this.#assertWritable('pinExclusive');
    const checked = checkPage(page, this.pageCount);
    this.#pins.assertNoSelfConflict(checked, 'exclusive');
    this.#acquire(checked, 'exclusive');
    this.#pins.addExclusive(checked);
    return this.#context.frames.view(checked);
  }

  /**
   * Releases the exclusive pin of `page`; the page's version changes, so optimistic
   * readers that overlapped retry.
   *
   * # Errors
   * `ERR_POOL_NOT_PINNED` when this handle does not hold it exclusively.
   */
  unpinExclusive(page: number): void {
    this.#assertOpen('unpinExclusive');
    const checked = checkPage(page, this.pageCount);
    this.#pins.removeExclusive(checked);
    releaseExclusive(this.#context.state.states, checked, unlocked);
  }

  /**
   * Optimistic read (vmcache): runs `reader(frame)` without taking a lock and returns its
   * result if the page's version did not change meanwhile; otherwise runs it again, and after
   * a few attempts under a shared pin. `reader` may see a page half-way through a change on
   * an attempt that is thrown away: it must only read, and must not keep the view.
   * A page that is not resident is loaded first.
   *
   * # Errors
   * As `pin()`; `TypeError` when `reader` is not a function; whatever `reader` throws on an
   * attempt whose version held.
   *
   * @example
   * ```ts
   * const key = pool.read(12, (frame) => new DataView(frame.buffer, frame.byteOffset).getUint32(0, true));
   * ```
   */
  read<T>(page: number, reader: (frame: Uint8Array) => T): T {
    this.#assertOpen('read');
    const checked = checkPage(page, this.pageCount);
    checkFunction(reader, 'reader');
    // This handle's own writer may read its page as it is (nobody else can change it).
    if (this.#pins.holdsExclusive(checked)) return reader(this.#context.frames.view(checked));
    const states = this.#context.state.states;
    for (let attempt = 0; attempt < optimisticAttempts; attempt++) {
      const word = Atomics.load(states, checked);
      const state = stateOf(word);
      if (state === evicted || state === exclusive) break;
      if (state === marked) Atomics.compareExchange(states, checked, word, withState(word, unlocked));
      let result: T;
      try {
        result = reader(this.#context.frames.view(checked));
      } catch (error) {
        if (this.#sameVersion(checked, word)) throw error;
        continue;
      }
      if (this.#sameVersion(checked, word)) {
        this.#context.counters.hits++;
        return result;
      }
    }
    const frame = this.pin(checked);
    try {
      return reader(frame);
    } finally {
      this.unpin(checked);
    }
  }

  /**
   * Pins `page` shared like `pin()`, but loads a missing page on the libuv thread pool
   * (`fs.read` straight into the frame, no copy), so the event loop never waits for the
   * disk. Eviction to make room still runs on this thread (dirty victims are written to the
   * page cache with `pwrite`, never `fsync`ed here).
   *
   * # Errors
   * Rejects as `pin()` does.
   *
   * @example
   * ```ts
   * const frame = await pool.pinAsync(1234);
   * try { parse(frame); } finally { pool.unpin(1234); }
   * ```
   */
  async pinAsync(page: number): Promise<Uint8Array> {
    this.#assertOpen('pinAsync');
    const checked = checkPage(page, this.pageCount);
    this.#pins.assertNoSelfConflict(checked, 'shared');
    const states = this.#context.state.states;
    let deadline: number | undefined;
    for (;;) {
      this.#assertOpen('pinAsync');
      const word = Atomics.load(states, checked);
      const state = stateOf(word);
      if (state === evicted) {
        if (await this.#loadForAsyncPin(checked, word)) break;
        continue;
      }
      if (tryShare(states, checked, word)) {
        this.#context.counters.hits++;
        break;
      }
      if (state !== exclusive && state !== maxShared) continue;
      const ownLoad = this.#pins.loading.get(checked);
      if (ownLoad !== undefined) {
        await ownLoad.catch(() => undefined);
        continue;
      }
      deadline ??= Date.now() + this.#context.lockTimeoutMs;
      if (Date.now() >= deadline) throw this.#lockTimeout(checked);
      this.#context.counters.stalls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.#assertOpen('pinAsync');
    this.#pins.addShared(checked);
    return this.#context.frames.view(checked);
  }

  /**
   * Loads the pages of `range` that are not resident, a few at a time on the libuv thread
   * pool, and leaves them unpinned. Prefetching more pages than the pool holds evicts the
   * first ones again.
   *
   * # Errors
   * `RangeError`/`TypeError` for a bad range; rejects as `pinAsync()` does.
   *
   * @example
   * ```ts
   * await pool.prefetch({ first: 0, count: 256 });
   * ```
   */
  async prefetch(range: PageRange = {}): Promise<void> {
    this.#assertOpen('prefetch');
    const { first, count } = checkPageRange(range, this.pageCount);
    let next = first;
    const end = first + count;
    const loadNext = async (): Promise<void> => {
      while (next < end) {
        const page = next++;
        if (stateOf(Atomics.load(this.#context.state.states, page)) !== evicted || this.#pins.holdsExclusive(page)) continue;
        await this.pinAsync(page);
        this.unpin(page);
      }
    };
    await Promise.all(Array.from({ length: Math.min(prefetchConcurrency, count) }, loadNext));
  }

  /**
   * Records that `page`, pinned exclusively by this handle, was changed: `flush()`,
   * eviction and `close()` write it back.
   *
   * # Errors
   * `ERR_POOL_NOT_PINNED` unless this handle pins it exclusively; `ERR_POOL_READ_ONLY`.
   */
  markDirty(page: number): void {
    this.#assertOpen('markDirty');
    this.#assertWritable('markDirty');
    const checked = checkPage(page, this.pageCount);
    if (!this.#pins.holdsExclusive(checked)) {
      throw new BufferPoolError('ERR_POOL_NOT_PINNED', `markDirty(${checked}) needs the page pinned exclusively by this handle (pinExclusive()).`, { page: checked });
    }
    this.#context.state.setDirty(checked);
  }

  /**
   * Writes every dirty page of the pool (all threads' changes) with `pwrite`, batched in
   * offset order, then `fsync`s the file. Returns the number of pages written.
   *
   * A process that dies during `flush()` leaves each 4 KiB OS page of the file either old or
   * new (the kernel copies whole pages into the page cache); pages larger than the OS page
   * and power loss have no such guarantee without a journal.
   *
   * # Errors
   * `MmapError` `ERR_MMAP_SYSTEM` from `pwrite`/`fsync` (the pages stay dirty);
   * `ERR_POOL_LOCK_TIMEOUT` when another thread holds a dirty page exclusively too long.
   */
  flush(): number {
    this.#assertOpen('flush');
    if (this.#readOnly) return 0;
    return flushDirty(this.#context, this.#pins);
  }

  /**
   * Evicts `page` now when it is resident and nobody pins it (written back first when
   * dirty). Returns whether it did.
   */
  evict(page: number): boolean {
    this.#assertOpen('evict');
    const checked = checkPage(page, this.pageCount);
    return evictPage(this.#context, checked);
  }

  /** True when `page` is resident (loaded and not evicted). */
  isResident(page: number): boolean {
    this.#assertOpen('isResident');
    const checked = checkPage(page, this.pageCount);
    return stateOf(Atomics.load(this.#context.state.states, checked)) !== evicted;
  }

  /**
   * This handle's hits, misses, evictions and stalls, and the pool's dirty and resident
   * pages.
   *
   * @example
   * ```ts
   * const { hits, misses } = pool.stats();
   * console.log(`hit rate ${(hits / (hits + misses)).toFixed(3)}`);
   * ```
   */
  stats(): BufferPoolStats {
    const { counters, state } = this.#context;
    return {
      hits: counters.hits,
      misses: counters.misses,
      evictions: counters.evictions,
      stalls: counters.stalls,
      dirtyPages: state.dirtyPages,
      residentPages: state.residentPages,
      residentBytes: state.residentPages * this.pageSize,
      poolBytes: state.poolPages * this.pageSize,
    };
  }

  /**
   * A plain-data description of this shared pool for `BufferPool.attach()` in a worker
   * thread (pass it in `workerData` or `postMessage`).
   *
   * # Errors
   * `ERR_POOL_NOT_SHARED` unless the pool was opened with `shared: true`.
   */
  share(): SharedPoolDescriptor {
    this.#assertOpen('share');
    const { frames, file, state } = this.#context;
    if (frames.kind !== 'shared') {
      throw new BufferPoolError('ERR_POOL_NOT_SHARED', 'share() needs a pool opened with { shared: true }: a private pool keeps its frames in memory only this thread can map.');
    }
    return {
      path: file.path,
      pageSize: file.pageSize,
      pageCount: file.pageCount,
      poolPages: state.poolPages,
      fileSize: file.size,
      readOnly: this.#readOnly,
      directIo: file.readFd !== file.fd,
      evictionBatch: this.#context.evictionBatch,
      lockTimeoutMs: this.#context.lockTimeoutMs,
      backend: this.#backend.name,
      memoryFd: frames.memoryFd,
      state: state.buffer,
    };
  }

  /**
   * Flushes (every dirty page is written and `fsync`ed), then unmaps this handle's frames
   * and closes its file. Views handed out become detached. Idempotent. Close attached
   * handles in workers before the creating pool if they may still write.
   *
   * # Errors
   * As `flush()`: when it fails, nothing is closed and the pages stay dirty.
   */
  close(): void {
    if (this.#closed) return;
    if (!this.#readOnly) flushDirty(this.#context, this.#pins);
    this.#closed = true;
    for (const page of this.#pins.exclusivePages()) releaseExclusive(this.#context.state.states, page, unlocked);
    this.#pins.clear();
    // A pinAsync() still loading has an fs.read writing into its frame on the libuv pool:
    // unmapping now could let the kernel write into whatever is mapped there next. Its
    // promise rejects with ERR_POOL_CLOSED; the frames and the file go when it settles.
    const loads = [...this.#pins.loading.values()];
    if (loads.length === 0) this.#release();
    else void Promise.allSettled(loads).then(() => this.#release());
  }

  #release(): void {
    this.#context.frames.close();
    this.#context.file.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Takes a shared or exclusive lock on `page`, loading it when evicted. */
  #acquire(page: number, mode: 'shared' | 'exclusive'): void {
    const states = this.#context.state.states;
    let deadline: number | undefined;
    for (;;) {
      const word = Atomics.load(states, page);
      const state = stateOf(word);
      if (state === evicted) {
        if (this.#pins.loading.has(page)) throw this.#busy(page);
        if (loadSync(this.#context, page, word)) {
          if (mode === 'shared') releaseToShared(states, page);
          return;
        }
        continue;
      }
      if (mode === 'shared' ? tryShare(states, page, word) : tryExclusive(states, page, word)) {
        this.#context.counters.hits++;
        return;
      }
      if (state === exclusive && this.#pins.loading.has(page)) throw this.#busy(page);
      if (state === unlocked || state === marked || (mode === 'shared' && state < maxShared)) continue; // lost a race: retry
      deadline ??= Date.now() + this.#context.lockTimeoutMs;
      if (!this.#context.shared || Date.now() >= deadline) throw this.#lockTimeout(page);
      this.#context.counters.stalls++;
      Atomics.wait(states, page, word, 1);
    }
  }

  async #loadForAsyncPin(page: number, word: number): Promise<boolean> {
    const load = loadAsync(this.#context, page, word);
    this.#pins.loading.set(page, load);
    try {
      if (!(await load)) return false;
    } finally {
      this.#pins.loading.delete(page);
    }
    if (this.#closed) {
      releaseExclusive(this.#context.state.states, page, unlocked);
      return true;
    }
    releaseToShared(this.#context.state.states, page);
    return true;
  }

  #sameVersion(page: number, word: number): boolean {
    const now = Atomics.load(this.#context.state.states, page);
    const state = stateOf(now);
    return versionOf(now) === versionOf(word) && state !== exclusive && state !== evicted;
  }

  #busy(page: number): BufferPoolError {
    return new BufferPoolError('ERR_POOL_BUSY', `Page ${page} is being loaded by a pinAsync() of this handle; await it instead of pinning synchronously.`, { page });
  }

  #lockTimeout(page: number): BufferPoolError {
    return new BufferPoolError('ERR_POOL_LOCK_TIMEOUT', `Waited ${this.#context.lockTimeoutMs} ms for page ${page}, which another thread holds exclusively.`, { page });
  }

  #assertOpen(method: string): void {
    if (this.#closed) throw new BufferPoolError('ERR_POOL_CLOSED', `Cannot call ${method}() on a closed buffer pool.`);
  }

  #assertWritable(method: string): void {
    if (this.#readOnly) throw new BufferPoolError('ERR_POOL_READ_ONLY', `${method}() needs a pool opened without readOnly.`);
  }
}

/** Turns this thread's exclusive lock of a freshly loaded page into one shared pin. */
function releaseToShared(states: Int32Array, page: number): void {
  Atomics.store(states, page, nextVersion(Atomics.load(states, page), 1));
  Atomics.notify(states, page);
}
