import type { Mapping } from 'mmapkit';
import { MmapRangeError } from 'mmapkit';
import type { FieldMap, StructLayout, StructRecord } from '@mmapkit/struct';
import type { AllocOptions, ArenaKind, ArenaProblem, ArenaStats, CreateArenaOptions, OpenArenaOptions } from './api.js';
import { ArenaError } from './errors.js';
import { Heap, type Segment } from './heap.js';
import { exclusiveOwnerWord, freeState, headerBytes, journalLengthWord, metadataBytes, repairWord, rootSlot } from './layout.js';
import { processIsGone, ProcessLock } from './lock.js';
import { arenaSizeFor, mapForCreate, mapForOpen, newSalt, readHeader, sealHeader, segmentShiftFor, writeHeader, type ArenaMapping } from './open.js';
import { Purger } from './purge.js';
import {
  checkAllocOptions,
  checkArrayType,
  checkCreateOptions,
  checkLayout,
  checkLength,
  checkOffset,
  checkOpenOptions,
  checkSize,
  type CheckedCommonOptions,
} from './validate.js';

/** A typed-array constructor `arena.array()` accepts. */
export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/**
 * How processes may use an arena:
 * - `'private'`: anonymous memory of this process; no lock, no journal.
 * - `'shared'`: a file or shared memory on a backend with coherent cross-process atomics;
 *   every operation takes the lock in the mapping and journals its tag writes.
 * - `'single-process'`: a file or shared memory on a backend that cannot share (the fs
 *   backend): journaled, and owned by one process at a time.
 */
export type ArenaSharing = 'private' | 'shared' | 'single-process';

/**
 * A malloc-like heap inside one mapping: anonymous memory reserved without committing it,
 * a file that keeps the heap across restarts, or shared memory that several processes use
 * at once. Blocks are named by their offset in the arena (a `number`, never 0).
 *
 * @example
 * ```ts
 * import { Arena } from '@mmapkit/arena';
 * using arena = Arena.create({ path: 'heap.bin', size: 1 << 30 });
 * const offset = arena.alloc(1024);
 * arena.bytes(offset).fill(7);
 * arena.setRoot(offset);           // a later Arena.open({ path: 'heap.bin' }) finds it with root()
 * arena.free(offset);
 * ```
 */
export class Arena implements Disposable {
  /** Bytes of the arena. */
  readonly size: number;
  /** What it lives in. */
  readonly kind: ArenaKind;
  /** Whether other processes may use it at the same time. */
  readonly sharing: ArenaSharing;
  /** The largest request `alloc()` accepts (a block never crosses a 1 GiB segment). */
  readonly maxAllocation: number;
  /** The mapping underneath (for `sync()`, `residency()`, ...). */
  readonly mapping: Mapping;

  readonly #heap: Heap;
  readonly #lock: ProcessLock | undefined;
  readonly #control: Int32Array;
  readonly #control64: Float64Array;
  readonly #purger: Purger;
  readonly #source: ArenaMapping;
  readonly #records = new WeakMap<object, number>();
  #closed = false;

  private constructor(source: ArenaMapping, size: number, segmentShift: number, salt: number, common: CheckedCommonOptions) {
    this.mapping = source.mapping;
    this.#source = source;
    this.size = size;
    this.kind = source.kind;
    const capabilities = source.mapping.backend.capabilities;
    this.sharing = source.kind === 'anonymous' ? 'private' : capabilities.crossProcessAtomics && capabilities.coherentVisibility ? 'shared' : 'single-process';
    const mapping = source.mapping;
    this.#heap = new Heap((_index, offset, length) => mapping.view(offset, length), size, segmentShift, salt, this.sharing !== 'private');
    const first = this.#heap.segment(0);
    this.#control = first.i32;
    this.#control64 = first.f64;
    this.#lock = this.sharing === 'shared' ? new ProcessLock(this.#control) : undefined;
    this.maxAllocation = this.#heap.maxAllocation;
    this.#purger = new Purger(this.#heap, mapping, common.purgeDelay, common.purgeThreshold, (action) => this.#locked(action));
  }

  /**
   * Creates an arena: `{ reserve }` for anonymous memory (private to this process),
   * `{ path, size }` for a file, `{ sharedMemory, size }` for shared memory.
   *
   * # Errors
   * `TypeError`/`RangeError` naming a bad option; `ERR_ARENA_EXISTS` when the file or
   * memory already holds data; `ERR_ARENA_UNSUPPORTED` when the backend cannot reserve that
   * much; `MmapError` from mapping (`ERR_MMAP_SYSTEM` with `errno`).
   *
   * @example
   * ```ts
   * const scratch = Arena.create({ reserve: 2 ** 40 });   // 1 TiB of address space, nothing committed
   * ```
   */
  static create(options: CreateArenaOptions): Arena {
    const { target, common } = checkCreateOptions(options);
    const source = mapForCreate(target, common.backend);
    try {
      const size = arenaSizeFor(Math.min(source.mapping.byteLength, target.size));
      const fields = { size, segmentShift: segmentShiftFor(size), salt: newSalt() };
      writeHeader(source.mapping, fields, source.label);
      const arena = new Arena(source, size, fields.segmentShift, fields.salt, common);
      arena.#heap.formatFirstSegment();
      arena.#claimIfSingleProcess();
      sealHeader(source.mapping);
      if (arena.sharing === 'single-process') source.mapping.sync();
      return arena;
    } catch (error) {
      Arena.#closeSource(source);
      throw error;
    }
  }

  /**
   * Opens an arena made by `create()` in a file or shared memory. A heap left by a process
   * that died in the middle of an operation is repaired first.
   *
   * # Errors
   * `ERR_ARENA_CORRUPT` (with `problem`) for a truncated, damaged or foreign file;
   * `ERR_ARENA_UNSUPPORTED` for a newer layout version, or when a single-process arena is
   * in use by another live process; `MmapError` from mapping.
   *
   * @example
   * ```ts
   * using arena = Arena.open({ path: 'heap.bin' });
   * const data = arena.bytes(arena.root());
   * ```
   */
  static open(options: OpenArenaOptions): Arena {
    const { target, common } = checkOpenOptions(options);
    const source = mapForOpen(target, common.backend);
    try {
      const fields = readHeader(source.mapping, source.label);
      const arena = new Arena(source, fields.size, fields.segmentShift, fields.salt, common);
      arena.#claimIfSingleProcess();
      arena.#locked(() => {
        if (Atomics.load(arena.#control, journalLengthWord) !== 0 || Atomics.load(arena.#control, repairWord) !== 0) arena.#heap.rebuild();
      });
      return arena;
    } catch (error) {
      Arena.#closeSource(source);
      throw error;
    }
  }

  static #closeSource(source: ArenaMapping): void {
    source.mapping.close();
    source.ownedMemory?.close();
  }

  /** Single-process arenas record their owner; a live other owner is refused. */
  #claimIfSingleProcess(): void {
    const owner = Atomics.load(this.#control, exclusiveOwnerWord);
    const lockOwner = Atomics.load(this.#control, 16);
    if (this.sharing !== 'single-process') {
      if (owner !== 0 && owner !== process.pid && !processIsGone(owner)) throw this.#inUse(owner);
      return;
    }
    for (const pid of [owner, lockOwner]) if (pid !== 0 && pid !== process.pid && !processIsGone(pid)) throw this.#inUse(pid);
    const needsRepair = owner !== 0 && owner !== process.pid;
    Atomics.store(this.#control, 16, 0);
    Atomics.store(this.#control, exclusiveOwnerWord, process.pid);
    if (needsRepair) this.#heap.rebuild();
    this.mapping.sync({ offset: 0, length: metadataBytes });
  }

  #inUse(pid: number): ArenaError {
    return new ArenaError(
      'ERR_ARENA_UNSUPPORTED',
      `The arena${this.#source.label === undefined ? '' : ` in '${this.#source.label}'`} is in use by process ${pid} through a backend that cannot share it between processes (${this.mapping.backend.name} here: capabilities.crossProcessAtomics/coherentVisibility); only one process may use it at a time.`,
      { ...(this.#source.label === undefined ? {} : { path: this.#source.label }) },
    );
  }

  // ------------------------------------------------------------- locking

  #locked<T>(action: () => T): T {
    if (this.#closed) throw this.#closedError();
    const lock = this.#lock;
    if (lock !== undefined && lock.acquire()) this.#heap.rebuild();
    try {
      return action();
    } catch (error) {
      if (Atomics.load(this.#control, journalLengthWord) !== 0) this.#heap.rebuild();
      throw error;
    } finally {
      lock?.release();
    }
  }

  #closedError(): ArenaError {
    return new ArenaError('ERR_ARENA_CLOSED', 'The arena is closed.');
  }

  // ---------------------------------------------------------- allocation

  /**
   * Allocates `size` bytes and returns their offset in the arena (a multiple of `align`,
   * never 0). The bytes are not cleared (they are zeros the first time a page is used).
   *
   * @param size - bytes, `0 ..= maxAllocation`
   * @param options - `align` (a power of two up to 2 MiB). @defaultValue `{ align: 16 }`
   *
   * # Errors
   * `ERR_ARENA_OUT_OF_MEMORY` (with `requested` and `largestFree`) when no free block is
   * large enough; `TypeError`/`RangeError` for a bad size or alignment; `ERR_ARENA_CLOSED`.
   *
   * @example
   * ```ts
   * const offset = arena.alloc(4096, { align: 4096 });
   * ```
   */
  alloc(size: number, options?: AllocOptions): number {
    const offset = this.tryAlloc(size, options);
    if (offset === 0) throw this.#outOfMemory(size);
    return offset;
  }

  /** Like `alloc()`, but returns 0 instead of throwing `ERR_ARENA_OUT_OF_MEMORY`. */
  tryAlloc(size: number, options?: AllocOptions): number {
    const alignment = options === undefined ? 16 : checkAllocOptions(options);
    checkSize(size, this.maxAllocation);
    if (this.#lock === undefined) {
      if (this.#closed) throw this.#closedError();
      return this.#heap.allocate(size, alignment);
    }
    return this.#locked(() => this.#heap.allocate(size, alignment));
  }

  #outOfMemory(size: number): ArenaError {
    const largestFree = this.#locked(() => this.#heap.largestFree());
    return new ArenaError('ERR_ARENA_OUT_OF_MEMORY', `Cannot allocate ${size} bytes: the largest free block is ${largestFree} bytes.`, {
      requested: size,
      largestFree,
    });
  }

  /**
   * Frees the block at `offset`. `free(0)` does nothing (like C's `free(NULL)`).
   *
   * # Errors
   * `ERR_ARENA_BAD_FREE` (with `offset`) for an offset that is not a block in use — freed
   * already, never returned by `alloc()`, or inside a block; nothing changes then.
   *
   * @example
   * ```ts
   * arena.free(offset);
   * ```
   */
  free(offset: number): void {
    checkOffset(offset);
    if (offset === 0) return;
    const released = this.#lock === undefined ? this.#unlockedRelease(offset) : this.#locked(() => this.#heap.release(offset));
    if (!released) throw this.#badOffset(offset, 'free');
  }

  #unlockedRelease(offset: number): boolean {
    if (this.#closed) throw this.#closedError();
    return this.#heap.release(offset);
  }

  #badOffset(offset: number, method: string): ArenaError {
    let why = 'it was never returned by alloc() (or points inside a block)';
    if (offset % 16 === 0 && offset >= metadataBytes + headerBytes && offset < this.size) {
      const header = offset - headerBytes;
      const segment = this.#heap.segment(header);
      const state = segment.i32[((header - segment.base) >>> 2) + 1] as number;
      if (state === (this.#heap.tagOf(header) | freeState) || state === 0) why = 'it was freed already (double free)';
    }
    return new ArenaError('ERR_ARENA_BAD_FREE', `Cannot ${method} offset ${offset}: ${why}. Nothing was changed.`, { offset });
  }

  /**
   * Resizes the block at `offset` to `size` bytes, in place when it can (shrinking, or
   * growing into a free neighbour), else by moving it: allocates, copies the bytes that fit,
   * frees the old block. Returns the (possibly new) offset.
   *
   * # Errors
   * `ERR_ARENA_BAD_FREE` for an offset that is not a block in use; `ERR_ARENA_OUT_OF_MEMORY`
   * when it must move and cannot (the old block is kept then).
   *
   * @example
   * ```ts
   * offset = arena.realloc(offset, 2 * arena.sizeOf(offset));
   * ```
   */
  realloc(offset: number, size: number, options?: AllocOptions): number {
    checkOffset(offset);
    const alignment = checkAllocOptions(options);
    checkSize(size, this.maxAllocation);
    const result = this.#locked(() => {
      if (!this.#heap.isAllocated(offset)) return -1;
      if (offset % alignment === 0 && this.#heap.resizeInPlace(offset, size)) return offset;
      const moved = this.#heap.allocate(size, alignment);
      if (moved === 0) return 0;
      const keep = Math.min(size, this.#heap.sizeOf(offset));
      this.#bytesUnlocked(moved, keep).set(this.#bytesUnlocked(offset, keep));
      this.#heap.release(offset);
      return moved;
    });
    if (result === -1) throw this.#badOffset(offset, 'realloc');
    if (result === 0) throw this.#outOfMemory(size);
    return result;
  }

  /** The size asked for the block at `offset` (`ERR_ARENA_BAD_FREE` if it is not a block in use). */
  sizeOf(offset: number): number {
    checkOffset(offset);
    const size = this.#locked(() => this.#heap.sizeOf(offset));
    if (size < 0) throw this.#badOffset(offset, 'take the size of');
    return size;
  }

  // --------------------------------------------------------------- views

  #segmentOf(offset: number): Segment {
    return this.#heap.segment(offset);
  }

  #bytesUnlocked(offset: number, length: number): Uint8Array {
    const segment = this.#segmentOf(offset);
    const start = offset - segment.base;
    return segment.u8.subarray(start, start + length);
  }

  /**
   * The bytes of the block at `offset` (all of them, or the first `length`), without a copy.
   *
   * # Errors
   * `ERR_ARENA_BAD_FREE` for an offset that is not a block in use; `RangeError` for a length
   * past the block.
   *
   * @example
   * ```ts
   * arena.bytes(offset).set(payload);
   * ```
   */
  bytes(offset: number, length?: number): Uint8Array {
    checkOffset(offset);
    const size = this.#locked(() => this.#heap.sizeOf(offset));
    if (size < 0) throw this.#badOffset(offset, 'view');
    return this.#bytesUnlocked(offset, checkLength(length, size));
  }

  /**
   * A typed array over the block at `offset` (`length` elements, default: as many as fit).
   *
   * @example
   * ```ts
   * const values = arena.array(Float64Array, arena.alloc(8 * 1000));
   * ```
   */
  array<T extends TypedArrayConstructor>(type: T, offset: number, length?: number): InstanceType<T> {
    checkArrayType(type);
    const bytes = this.bytes(offset);
    const count = checkLength(length, Math.floor(bytes.byteLength / type.BYTES_PER_ELEMENT));
    return new type(bytes.buffer as ArrayBuffer, bytes.byteOffset, count) as InstanceType<T>;
  }

  /**
   * Allocates a block for one record of `layout` and returns a `@mmapkit/struct` view of it
   * (its offset: `offsetOf(record)`).
   *
   * @example
   * ```ts
   * const point = arena.allocStruct(Point);
   * point.x = 1.5;
   * arena.setRoot(arena.offsetOf(point));
   * ```
   */
  allocStruct<F extends FieldMap>(layout: StructLayout<F>): StructRecord<F> {
    checkLayout(layout);
    return this.struct(layout, this.alloc(layout.size, { align: Math.max(16, layout.alignment) }));
  }

  /** A `@mmapkit/struct` view of the record of `layout` at `offset` (a block of at least `layout.size` bytes). */
  struct<F extends FieldMap>(layout: StructLayout<F>, offset: number): StructRecord<F> {
    checkLayout(layout);
    const record = layout.view(this.bytes(offset, layout.size), 0);
    this.#records.set(record as object, offset);
    return record;
  }

  /** The offset of a record returned by `allocStruct()` or `struct()`. */
  offsetOf(record: object): number {
    const offset = this.#records.get(record);
    if (offset === undefined) throw new MmapRangeError('record', 'a record returned by allocStruct() or struct() of this arena', record);
    return offset;
  }

  // ---------------------------------------------------------------- root

  /** Stores `offset` (a block in use, or 0) where a reopened arena finds it: `root()`. */
  setRoot(offset: number): void {
    checkOffset(offset);
    const ok = this.#locked(() => {
      if (offset !== 0 && !this.#heap.isAllocated(offset)) return false;
      this.#control64[rootSlot] = offset;
      return true;
    });
    if (!ok) throw new MmapRangeError('offset', 'a block in use (an offset returned by alloc) or 0', offset);
  }

  /** The offset stored by `setRoot()`, or 0. */
  root(): number {
    return this.#locked(() => this.#control64[rootSlot] as number);
  }

  // -------------------------------------------------------- housekeeping

  /**
   * What the arena holds now.
   *
   * @example
   * ```ts
   * const { usedBytes, largestFreeBlock, residentBytes } = arena.stats();
   * ```
   */
  stats(): ArenaStats {
    return this.#locked(() => {
      const counters = this.#heap.counters();
      const heapBytes = this.size - metadataBytes - this.#heap.segmentCount * headerBytes;
      return {
        size: this.size,
        requestedBytes: counters.requested,
        usedBytes: counters.usedBytes,
        freeBytes: heapBytes - counters.usedBytes,
        largestFreeBlock: this.#heap.largestFree(),
        blocks: counters.blocks,
        sizeClasses: this.#heap.classCounts().map(([maxSize, blocks]) => ({ maxSize, blocks })),
        residentBytes: this.#residentBytes(),
        repairs: counters.repairs,
        pendingPurgeBytes: this.#purger.pendingBytes(),
        purgeAdvice: this.#purger.advice,
      };
    });
  }

  #residentBytes(): number | undefined {
    if (!this.mapping.backend.capabilities.residency) return undefined;
    const length = this.#heap.formattedBytes();
    let resident = 0;
    const step = 2 ** 30;
    for (let offset = 0; offset < length; offset += step) {
      resident += this.mapping.residency({ offset, length: Math.min(step, length - offset) }).resident;
    }
    return resident * this.mapping.backend.pageSize;
  }

  /**
   * Walks the whole heap and returns every inconsistency found (boundary tags, free lists,
   * bitmaps, counters), or an empty list. Never throws for a damaged heap and changes nothing.
   *
   * @example
   * ```ts
   * const problems = arena.check();
   * if (problems.length > 0) console.error(problems);
   * ```
   */
  check(): ArenaProblem[] {
    return this.#locked(() => {
      const problems: ArenaProblem[] = [];
      try {
        readHeader(this.mapping, this.#source.label);
      } catch (error) {
        problems.push({ offset: 0, problem: error instanceof Error ? error.message : String(error) });
        return problems;
      }
      return [...problems, ...this.#heap.check()];
    });
  }

  /**
   * Every block in use, in address order: `[offset, size asked]`.
   *
   * @example
   * ```ts
   * for (const [offset, size] of arena.blocks()) console.log(offset, size);
   * ```
   */
  blocks(): Array<[offset: number, size: number]> {
    return this.#locked(() => {
      const result: Array<[number, number]> = [];
      this.#heap.walk((header, _granules, inUse, segment) => {
        if (inUse) result.push([header + headerBytes, segment.i32[((header - segment.base) >>> 2) + 3] as number]);
      });
      return result;
    });
  }

  /**
   * Gives the pages of large free blocks back to the operating system now, instead of after
   * `purgeDelay`. Returns the bytes given back.
   */
  purge(): number {
    return this.#locked(() => this.#purger.run(true));
  }

  /** Flushes a file-backed arena to disk (`msync`); on the fs backend, writes changes back. */
  sync(): void {
    if (this.#closed) throw this.#closedError();
    this.mapping.sync();
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Unmaps the arena. Views handed out before become detached. Single-process arenas are
   * synced and released for the next process. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#purger.stop();
    if (this.sharing === 'single-process') {
      Atomics.store(this.#control, exclusiveOwnerWord, 0);
      this.mapping.sync();
    }
    this.#closed = true;
    Arena.#closeSource(this.#source);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
