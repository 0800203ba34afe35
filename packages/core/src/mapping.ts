import type {
  Advice,
  Backend,
  BackendMapping,
  ByteRange,
  FaultEvent,
  Protection,
  Sharing,
  SyncOptions,
  UncheckedAdvice,
  UncheckedProtection,
} from './api.js';
import { advices, protections, uncheckedAdvices, uncheckedProtections } from './constants.js';
import { MmapError, MmapRangeError } from './errors.js';
import { closed, detached, unsupported, viewTooLarge } from './failures.js';
import { validateBoolean, validateInteger, validateOneOf, validateOptionsObject } from './validate.js';

/** Which pages of a range are resident in memory, from `Mapping.residency()`. */
export interface Residency {
  /** The page size the map is counted in. */
  readonly pageSize: number;
  /** Number of pages the range touches. */
  readonly pages: number;
  /** Number of those pages that are resident. */
  readonly resident: number;
  /** One byte per page, in order: 1 if resident, 0 if not. */
  readonly map: Uint8Array;
}

/** What `Mapping` needs to know about a mapping just created by a backend. */
export interface MappingState {
  readonly backend: Backend;
  /** `undefined` for a zero-length mapping, which has no backend mapping at all. */
  readonly handle: BackendMapping | undefined;
  /** File offset of the user's first byte (0 for anonymous memory). */
  readonly offset: number;
  readonly byteLength: number;
  /** Bytes between the mapped region's start and the user's first byte. */
  readonly alignmentGap: number;
  readonly protection: Protection;
  readonly sharing: Sharing;
  readonly path: string | undefined;
  readonly fd: number | undefined;
  readonly anonymous: boolean;
}

const finalizers = new FinalizationRegistry<BackendMapping>((handle) => {
  try {
    handle.release();
  } catch {
    // A finalizer must never throw; the backend reports nothing more useful here.
  }
});

const rangeKeys = ['offset', 'length'] as const;
const syncKeys = ['offset', 'length', 'async', 'invalidate'] as const;

/**
 * A memory mapping: a file or anonymous memory mapped into this process. Created by
 * `mapFile()`/`mapAnonymous()` (or the `mmapkit` package's `map()`), never with `new`.
 *
 * Every method validates its arguments and the mapping's state, then calls the backend
 * with exact, page-aligned values. After `close()` every method throws `ERR_MMAP_CLOSED`.
 *
 * @example
 * ```ts
 * using mapping = mapFile(backend, { path: 'data.bin' });
 * console.log(mapping.bytes[0]);
 * ```
 */
export class Mapping implements Disposable {
  /** The backend that made this mapping. */
  readonly backend: Backend;
  /** File offset of the first byte (`0` for anonymous memory). */
  readonly offset: number;
  /** Number of bytes mapped. */
  readonly byteLength: number;
  /** `'shared'` or `'private'`. */
  readonly sharing: Sharing;
  /** The mapped file's path, when it was mapped by path. */
  readonly path: string | undefined;
  /** The file descriptor the user passed, when mapped by descriptor. */
  readonly fd: number | undefined;
  /** True for anonymous memory. */
  readonly anonymous: boolean;

  #handle: BackendMapping | undefined;
  #closed = false;
  #protection: Protection | UncheckedProtection;
  readonly #alignmentGap: number;
  #bytes: Uint8Array | undefined;
  /** The guard's faults, kept by `close()` so that `faults()` still answers afterwards. */
  #faultsAtClose: readonly FaultEvent[] = [];
  /** Whether a finalizer releases the backend mapping if this object is collected open. */
  readonly #registered: boolean;

  /** @internal Use `mapFile()`/`mapAnonymous()`. */
  constructor(state: MappingState) {
    this.backend = state.backend;
    this.offset = state.offset;
    this.byteLength = state.byteLength;
    this.sharing = state.sharing;
    this.path = state.path;
    this.fd = state.fd;
    this.anonymous = state.anonymous;
    this.#handle = state.handle;
    this.#protection = state.protection;
    this.#alignmentGap = state.alignmentGap;
    this.#registered = state.handle !== undefined && state.handle.releasedWhenCollected !== true;
    if (this.#registered) finalizers.register(this, state.handle as BackendMapping, this);
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The protection given when mapping, or by the last `protect()` of the whole mapping.
   * A `protect()` of part of the mapping does not change it.
   */
  get protection(): Protection | UncheckedProtection {
    return this.#protection;
  }

  /**
   * A `Uint8Array` over the whole mapping (the same object on every read).
   *
   * # Errors
   * `ERR_MMAP_CLOSED` after `close()`; `ERR_MMAP_VIEW_TOO_LARGE` when the mapping is longer
   * than `backend.capabilities.largestView` (use `view()` for parts of it).
   */
  get bytes(): Uint8Array {
    this.#assertOpen('bytes');
    if (this.#bytes === undefined) this.#bytes = this.view(0, this.byteLength);
    return this.#bytes;
  }

  /**
   * A `Uint8Array` over `[offset, offset + length)` of the mapping, without copying
   * (except in backends whose `capabilities.zeroCopy` is false). Works at any offset,
   * including past 4 GiB.
   *
   * @param offset - first byte, relative to the mapping. @defaultValue `0`
   * @param length - bytes. @defaultValue to the end of the mapping
   *
   * # Errors
   * `RangeError` for a range outside the mapping; `ERR_MMAP_VIEW_TOO_LARGE` when
   * `length` exceeds `backend.capabilities.largestView`; `ERR_MMAP_CLOSED` after `close()`;
   * `ERR_MMAP_DETACHED` when user code transferred the buffer that covers the range.
   */
  view(offset = 0, length?: number): Uint8Array {
    this.#assertOpen('view');
    const range = this.#range({ offset, length }, 'offset', 'length');
    if (range.length > this.backend.capabilities.largestView) {
      throw viewTooLarge(range.length, this.backend.capabilities.largestView);
    }
    if (range.length === 0 || this.#handle === undefined) return new Uint8Array(0);
    const slice = this.#handle.window(this.#alignmentGap + range.offset, range.length);
    if (slice.buffer.byteLength === 0) {
      // User code moved the buffer away (`transfer()`, `structuredClone` with transfer). A new
      // buffer over the same memory would be a second one at that address, which V8 forbids.
      throw detached('this range can no longer be viewed. close() the mapping and map again.');
    }
    return new Uint8Array(slice.buffer, slice.byteOffset, range.length);
  }

  /** Like `view()`, as a `DataView`. */
  dataView(offset = 0, length?: number): DataView {
    const bytes = this.view(offset, length);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Flush changes in a range to the file (`msync`). A no-op for anonymous and private
   * mappings' file contents, which never reach a file.
   *
   * @param options - the range, and `async` (`MS_ASYNC`, default `false`) and `invalidate`
   * (`MS_INVALIDATE`, default `false`; needs `capabilities.syncInvalidate`).
   */
  sync(options?: SyncOptions): void {
    this.#assertOpen('sync');
    const checked = validateOptionsObject<SyncOptions>(options, 'options', syncKeys);
    const asynchronous = validateBoolean(checked.async, 'options.async', false);
    const invalidate = validateBoolean(checked.invalidate, 'options.invalidate', false);
    if (invalidate) this.#assertCapability('syncInvalidate', 'sync({ invalidate: true })');
    const range = this.#pageRange(checked, 'options');
    if (range === undefined) return;
    this.#handle?.sync(range.offset, range.length, asynchronous, invalidate);
  }

  /**
   * Like `sync()`, but the flush runs off the main thread; resolves when it is durable.
   * `close()` while it is pending is safe.
   */
  async syncAsync(range?: ByteRange): Promise<void> {
    this.#assertOpen('syncAsync');
    const pages = this.#pageRange(validateOptionsObject<ByteRange>(range, 'range', rangeKeys), 'range');
    if (pages === undefined || this.#handle === undefined) return;
    await this.#handle.syncAsync(pages.offset, pages.length);
  }

  /**
   * Re-read a range from the file, for backends whose `capabilities.coherentVisibility` is
   * false (the fs backend): bytes changed here and not yet synced are kept. A no-op where
   * the page cache is coherent.
   */
  refresh(range?: ByteRange): void {
    this.#assertOpen('refresh');
    const pages = this.#pageRange(validateOptionsObject<ByteRange>(range, 'range', rangeKeys), 'range');
    if (pages === undefined) return;
    this.#handle?.refresh(pages.offset, pages.length);
  }

  /**
   * Give the kernel access-pattern advice (`madvise`) that never changes contents.
   *
   * # Errors
   * `ERR_MMAP_UNSUPPORTED` when the backend does not list `advice` in `capabilities.advice`.
   */
  advise(advice: Advice, range?: ByteRange): void {
    this.#assertOpen('advise');
    const checked = validateOneOf(advice, 'advice', advices);
    this.#advise(checked, range);
  }

  /**
   * Give advice that may discard the range's contents (`dontneed`, `free`, `remove`).
   * The name says it: bytes may be lost. See `UncheckedAdvice`.
   */
  unsafeAdvise(advice: UncheckedAdvice, range?: ByteRange): void {
    this.#assertOpen('unsafeAdvise');
    const checked = validateOneOf(advice, 'advice', uncheckedAdvices);
    this.#advise(checked, range);
  }

  /**
   * Change the protection of a range (`mprotect`). Protecting a shared file mapping
   * `'read-write'` needs the file opened for writing (the mapping was made read-write).
   *
   * # Errors
   * `ERR_MMAP_UNSUPPORTED` when `capabilities.protections` lacks the value;
   * `ERR_MMAP_SYSTEM` (`EACCES`) when the file was not opened for writing.
   */
  protect(protection: Protection, range?: ByteRange): void {
    this.#assertOpen('protect');
    this.#protect(validateOneOf(protection, 'protection', protections), range);
  }

  /** Make a range executable (`PROT_EXEC`). The caller takes responsibility for what runs. */
  unsafeProtect(protection: UncheckedProtection, range?: ByteRange): void {
    this.#assertOpen('unsafeProtect');
    this.#protect(validateOneOf(protection, 'protection', uncheckedProtections), range);
  }

  /** Which pages of a range are resident in memory (`mincore`). Needs `capabilities.residency`. */
  residency(range?: ByteRange): Residency {
    this.#assertOpen('residency');
    const checked = validateOptionsObject<ByteRange>(range, 'range', rangeKeys);
    this.#assertCapability('residency', 'residency()');
    const pages = this.#pageRange(checked, 'range');
    const pageSize = this.backend.pageSize;
    if (pages === undefined || this.#handle === undefined) return { pageSize, pages: 0, resident: 0, map: new Uint8Array(0) };
    const map = this.#handle.residency(pages.offset, pages.length);
    let resident = 0;
    for (const page of map) resident += page & 1;
    return { pageSize, pages: map.length, resident, map };
  }

  /** Pin a range's pages in memory (`mlock`). Needs `capabilities.lock`. */
  lock(range?: ByteRange): void {
    this.#assertOpen('lock');
    const checked = validateOptionsObject<ByteRange>(range, 'range', rangeKeys);
    this.#assertCapability('lock', 'lock()');
    const pages = this.#pageRange(checked, 'range');
    if (pages !== undefined) this.#handle?.lock(pages.offset, pages.length);
  }

  /** Undo `lock()` (`munlock`). Needs `capabilities.lock`. */
  unlock(range?: ByteRange): void {
    this.#assertOpen('unlock');
    const checked = validateOptionsObject<ByteRange>(range, 'range', rangeKeys);
    this.#assertCapability('lock', 'unlock()');
    const pages = this.#pageRange(checked, 'range');
    if (pages !== undefined) this.#handle?.unlock(pages.offset, pages.length);
  }

  /**
   * Fault a range's pages in off the main thread, so that reading it later does not block
   * the event loop on disk. Resolves when the pages are resident (or read, in the fs
   * backend).
   */
  async prefetch(range?: ByteRange): Promise<void> {
    this.#assertOpen('prefetch');
    const pages = this.#pageRange(validateOptionsObject<ByteRange>(range, 'range', rangeKeys), 'range');
    if (pages === undefined || this.#handle === undefined) return;
    await this.#handle.prefetch(pages.offset, pages.length);
  }

  /**
   * The faults the backend's fault guard repaired on this mapping, oldest first (the native
   * backend keeps the first 16 in detail). Empty when there were none or the backend has no
   * guard. Works after `close()` too (the faults seen until then), and never throws.
   *
   * A mapping with a fault is poisoned: every other method except `close()` throws the
   * error of its first fault (`ERR_MMAP_TRUNCATED`, `ERR_MMAP_READONLY_WRITE`,
   * `ERR_MMAP_ACCESS_REVOKED`) until it is closed.
   */
  faults(): readonly FaultEvent[] {
    if (this.#handle === undefined) return this.#faultsAtClose;
    return this.#faultsOfHandle(this.#handle);
  }

  /**
   * Unmap now. Views handed out before become harmless as
   * `backend.capabilities.staleViews` says (detached, on the native backend). Idempotent.
   * Bytes written through a shared mapping reach the file on every backend (the fs backend
   * writes its unsynced changes back first; call `sync()` for durability on disk).
   *
   * @throws `MmapError` (`ERR_MMAP_SYSTEM`, with `errno`) when the fs backend cannot write
   * its changes back: the mapping then stays open with its data, and `close()` can be
   * called again.
   */
  close(): void {
    if (this.#closed) return;
    const handle = this.#handle;
    // May throw: nothing has changed yet, so the mapping stays open and its data readable.
    handle?.writeBack?.();
    this.#closed = true;
    this.#bytes = undefined;
    this.#handle = undefined;
    if (handle === undefined) return;
    if (this.#registered) finalizers.unregister(this);
    this.#faultsAtClose = this.#faultsOfHandle(handle);
    handle.unmap();
  }

  /** `close()`, for `using mapping = ...`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #assertOpen(method: string): void {
    if (this.#closed) {
      throw closed('mapping', method, this.path);
    }
    const first = this.#handle?.faults?.()?.[0];
    if (first !== undefined) throw this.#faultError(method, first);
  }

  /** The backend's faults with offsets relative to this mapping's first byte. */
  #faultsOfHandle(handle: BackendMapping): readonly FaultEvent[] {
    let events: readonly FaultEvent[] | undefined;
    try {
      events = handle.faults?.();
    } catch {
      // faults() never throws; a backend that does has nothing more useful to say here.
    }
    if (events === undefined || events.length === 0) return [];
    return Object.freeze(
      events.map((event) => Object.freeze({ type: event.type, offset: Math.max(0, event.offset - this.#alignmentGap), time: event.time })),
    );
  }

  /** The error a poisoned mapping throws: the code of its first fault. */
  #faultError(method: string, event: FaultEvent): MmapError {
    const offset = Math.max(0, event.offset - this.#alignmentGap);
    const file = this.path === undefined ? '' : ` of '${this.path}'`;
    const details = { path: this.path };
    const poisoned = `The mapping is poisoned: every call but close() throws this until it is closed (mapping.faults() lists what happened).`;
    switch (event.type) {
      case 'truncated':
        return new MmapError(
          'ERR_MMAP_TRUNCATED',
          `Cannot call ${method}: the file${file} was truncated below the mapped range while mapped (an access at offset ${offset} was past its new end). Bytes past the new end now read as 0 and writes there were discarded. ${poisoned}`,
          details,
        );
      case 'read-only-write':
        return new MmapError(
          'ERR_MMAP_READONLY_WRITE',
          `Cannot call ${method}: code wrote to a read-only page of this mapping${file} (offset ${offset}). The write went to a private copy of the page and never reached the file. ${poisoned}`,
          details,
        );
      case 'access-revoked':
        return new MmapError(
          'ERR_MMAP_ACCESS_REVOKED',
          `Cannot call ${method}: code touched a page of this mapping${file} whose access was revoked (protection 'none', offset ${offset}). The page now reads as 0 and writes to it go nowhere. ${poisoned}`,
          details,
        );
      case 'io-error':
        return new MmapError(
          'ERR_MMAP_SYSTEM',
          `Cannot call ${method}: the kernel could not supply a page of this mapping${file} (offset ${offset}: an I/O error, or no space for a page of a sparse file). The page now reads as 0. ${poisoned}`,
          { ...details, errno: 'EIO', syscall: 'page fault' },
        );
    }
  }

  #assertCapability(capability: 'residency' | 'lock' | 'syncInvalidate', what: string): void {
    if (!this.backend.capabilities[capability]) {
      throw unsupported(this.backend.name, what);
    }
  }

  #advise(advice: Advice | UncheckedAdvice, range: ByteRange | undefined): void {
    const checked = validateOptionsObject<ByteRange>(range, 'range', rangeKeys);
    if (!this.backend.capabilities.advice.includes(advice)) {
      throw unsupported(this.backend.name, `the advice '${advice}' here`);
    }
    const pages = this.#pageRange(checked, 'range');
    if (pages !== undefined) this.#handle?.advise(pages.offset, pages.length, advice);
  }

  #protect(protection: Protection | UncheckedProtection, range: ByteRange | undefined): void {
    const checked = validateOptionsObject<ByteRange>(range, 'range', rangeKeys);
    if (!this.backend.capabilities.protections.includes(protection)) {
      throw unsupported(this.backend.name, `protection '${protection}'`);
    }
    const whole = this.#range(checked, 'range.offset', 'range.length');
    const pages = this.#pageRange(checked, 'range');
    if (pages !== undefined) this.#handle?.protect(pages.offset, pages.length, protection);
    if (whole.offset === 0 && whole.length === this.byteLength) this.#protection = protection;
  }

  /** Validates a user range against the mapping. */
  #range(range: ByteRange, offsetName: string, lengthName: string): { offset: number; length: number } {
    const offset = range.offset === undefined ? 0 : validateInteger(range.offset, offsetName);
    if (offset > this.byteLength) {
      throw new MmapRangeError(offsetName, `<= the mapping's byteLength (${this.byteLength})`, offset);
    }
    const length = range.length === undefined ? this.byteLength - offset : validateInteger(range.length, lengthName);
    if (offset + length > this.byteLength) {
      throw new MmapRangeError(lengthName, `<= ${this.byteLength - offset} (the bytes from offset ${offset} to the end of the mapping)`, length);
    }
    return { offset, length };
  }

  /** A user range converted to a page-aligned range of the mapped region, or `undefined` when empty. */
  #pageRange(range: ByteRange, name: string): { offset: number; length: number } | undefined {
    const checked = this.#range(range, `${name}.offset`, `${name}.length`);
    if (checked.length === 0) return undefined;
    const start = this.#alignmentGap + checked.offset;
    const alignedStart = start - (start % this.backend.pageSize);
    return { offset: alignedStart, length: start + checked.length - alignedStart };
  }
}
