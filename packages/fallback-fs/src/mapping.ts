/**
 * One mapping of the fs backend: a plain `ArrayBuffer` holding the whole region, filled
 * from the file page by page on first use, with changes found by comparison against a
 * snapshot and written back by `sync()`.
 *
 * @packageDocumentation
 */

import { closeSync } from 'node:fs';
import {
  closed,
  detached,
  fromNodeError,
  systemError,
  unsupported,
  type Advice,
  type BackendMapping,
  type FaultEvent,
  type Protection,
  type Sharing,
  type UncheckedAdvice,
  type UncheckedProtection,
  type WindowSlice,
} from '@mmapkit/core';
import { forEachChangedRun, type ByteRun } from './changes.js';
import { releaseAccess, type FileAccess } from './descriptor.js';
import { forgetAtExit, writeBackAtExit, type ExitWriteBack } from './exit-write-back.js';
import { FileEnd } from './file-end.js';
import {
  copyRegion,
  flushFile,
  flushFileAsync,
  readIntoAsync,
  readRegion,
  transferChunkLength,
  writeFromAsync,
  writeRegion,
  zeroRegion,
} from './file-io.js';
import { PageTable, type PageRun } from './pages.js';

/** Bytes read at a time by `refresh()` and `prefetch()` into a temporary buffer. */
const stagingLength = 16 * 1024 * 1024;

/** Everything an {@link FsMapping} is made from. */
export interface FsMappingInit {
  /** The file, or `undefined` for anonymous memory. */
  readonly file: FileAccess | undefined;
  /** Whether the mapping must close `file.fd` when unmapped or released. */
  readonly ownsFd: boolean;
  /** File offset of the region's first byte. */
  readonly fileOffset: number;
  /** Bytes in the region. */
  readonly length: number;
  readonly protection: Protection;
  readonly sharing: Sharing;
  readonly pageSize: number;
  /** Load every page now (`populate`). */
  readonly populate: boolean;
}

/**
 * A mapping emulated with `fs` reads and writes.
 *
 * - `data` is the memory every view shares; `snapshot` holds the same bytes as they were
 *   last read from or written to the file, so a byte differs from its snapshot exactly
 *   when it was changed here and not yet synced.
 * - A snapshot exists only where changes matter: private mappings (their changes must
 *   survive `refresh()`) and shared mappings of a writable descriptor. A shared mapping of
 *   a read-only descriptor can never write back, so it keeps no snapshot and `refresh()`
 *   simply re-reads it.
 * - A shared mapping with a snapshot writes its changes back at `close()` ({@link writeBack}),
 *   when it is collected without `close()` ({@link release}) and when the process exits, so
 *   that no byte written through it is lost, as with a kernel mapping.
 */
export class FsMapping implements BackendMapping, ExitWriteBack {
  readonly #file: FileAccess | undefined;
  readonly #ownsFd: boolean;
  readonly #fileOffset: number;
  readonly #length: number;
  readonly #sharing: Sharing;
  readonly #pages: PageTable;
  #data: ArrayBuffer | undefined;
  #snapshot: ArrayBuffer | undefined;
  /** Asynchronous operations still using the descriptor. */
  #pendingOperations = 0;
  /** Bytes were written by `sync({ async: true })` and not yet flushed with `fdatasync`. */
  #unflushedWrites = false;
  #unmapped = false;
  #descriptorClosed = false;
  /** The end of the file, watched for truncation by someone else; `undefined` for anonymous memory. */
  readonly #fileEnd: FileEnd | undefined;
  /** Bytes past a truncation were zeroed (done once). */
  #truncatedTailDiscarded = false;
  /** What `faults()` answers once a truncation was seen. */
  #faults: readonly FaultEvent[] | undefined;

  constructor(init: FsMappingInit) {
    this.#file = init.file;
    this.#ownsFd = init.ownsFd;
    this.#fileOffset = init.fileOffset;
    this.#length = init.length;
    this.#sharing = init.sharing;
    this.#pages = new PageTable(init.length, init.pageSize, init.protection);
    this.#data = allocate(init.length, init.file?.path);
    const tracksChanges = init.file !== undefined && (init.sharing === 'private' || init.file.writeFd !== undefined);
    this.#snapshot = tracksChanges ? allocate(init.length, init.file?.path) : undefined;
    this.#fileEnd = init.file === undefined ? undefined : new FileEnd(init.file.fd, init.file.path, init.fileOffset, init.length);
    if (init.populate) this.#load(0, init.length);
    if (this.#writesBack()) writeBackAtExit(this);
  }

  window(offset: number, length: number): WindowSlice {
    const data = this.#liveData();
    this.#load(offset, length);
    return { buffer: data, byteOffset: offset };
  }

  sync(offset: number, length: number, asynchronous: boolean): void {
    if (!this.#writesBack()) return;
    const file = this.#file as FileAccess;
    this.#writeChanges(offset, length);
    if (!asynchronous && this.#unflushedWrites) {
      flushFile(file.writeFd as number, file.path);
      this.#unflushedWrites = false;
    }
    this.#throwIfTruncated('sync()');
  }

  async syncAsync(offset: number, length: number): Promise<void> {
    if (!this.#writesBack()) return;
    const file = this.#file as FileAccess;
    const writeFd = file.writeFd as number;
    const data = this.#liveData();
    // Copy the changed bytes now: the writes then neither race with later changes nor
    // depend on the buffer, which close() detaches.
    const copies = this.#writableChanges(offset, length).flatMap((run) => chunksOf(run).map((chunk) => ({ run: chunk, bytes: copyOf(data, chunk) })));
    if (copies.length === 0 && !this.#unflushedWrites) {
      this.#throwIfTruncated('syncAsync()');
      return;
    }
    this.#pendingOperations++;
    try {
      for (const copy of copies) {
        await writeFromAsync(writeFd, copy.bytes, this.#fileOffset + copy.run.start, file.path);
        // What reached the file is the new baseline; bytes changed meanwhile stay changed.
        if (this.#snapshot !== undefined) new Uint8Array(this.#snapshot, copy.run.start, copy.bytes.byteLength).set(copy.bytes);
        this.#unflushedWrites = true;
      }
      await flushFileAsync(writeFd, file.path);
      this.#unflushedWrites = false;
    } finally {
      this.#operationSettled();
    }
    this.#throwIfTruncated('syncAsync()');
  }

  /**
   * Called by `close()` before unmapping: writes the changes back (without `fdatasync`,
   * like `munmap`). Throws what the write throws, with nothing else changed. A truncation
   * is not an error here: the bytes past the new end are simply not written.
   */
  writeBack(): void {
    if (!this.#writesBack() || this.#data === undefined || this.#data.byteLength === 0) return;
    this.#writeChanges(0, this.#length);
  }

  /** Best effort at process exit: there is nobody to report a failure to. */
  writeBackAtExit(): void {
    try {
      this.writeBack();
    } catch {
      // The process is ending; the error has nowhere to go.
    }
  }

  /** A truncation seen by a write-back or a read; `undefined` (cheap) when there was none. */
  faults(): readonly FaultEvent[] | undefined {
    return this.#faults;
  }

  refresh(offset: number, length: number): void {
    if (this.#file === undefined) return;
    const data = this.#liveData();
    for (const run of this.#pages.loadedRuns(this.#pages.pagesOf(offset, length))) {
      const range = this.#byteRange(run);
      for (let start = range.start; start < range.end; start += stagingLength) {
        this.#mergeFromFile(data, start, Math.min(range.end, start + stagingLength));
      }
    }
  }

  advise(offset: number, length: number, advice: Advice | UncheckedAdvice): void {
    switch (advice) {
      case 'willneed':
        this.#liveData();
        this.#load(offset, length);
        return;
      case 'dontneed':
        this.#dontNeed(offset, length);
        return;
      default:
        // 'normal', 'random', 'sequential': loads are always exactly the range asked for.
        return;
    }
  }

  protect(offset: number, length: number, protection: Protection | UncheckedProtection): void {
    if (protection !== 'none' && protection !== 'read' && protection !== 'read-write') {
      throw unsupported('fallback-fs', `protection '${protection}'`);
    }
    if (protection === 'read-write' && this.#sharing === 'shared' && this.#file !== undefined && this.#file.writeFd === undefined) {
      throw systemError('mprotect', 'EACCES', 'a shared mapping can only be made writable when its file descriptor is open for writing', this.#file.path);
    }
    // What was written while the pages were writable is in the file's page cache under a
    // kernel mapping: write it back before the pages stop being written back.
    if (protection !== 'read-write' && this.#writesBack()) this.#writeChanges(offset, length);
    this.#pages.protect(this.#pages.pagesOf(offset, length), protection);
  }

  residency(offset: number, length: number): Uint8Array {
    return this.#pages.loadedMap(this.#pages.pagesOf(offset, length));
  }

  lock(): void {
    throw unsupported('fallback-fs', 'lock()');
  }

  unlock(): void {
    throw unsupported('fallback-fs', 'unlock()');
  }

  async prefetch(offset: number, length: number): Promise<void> {
    const file = this.#file;
    this.#liveData();
    const pages = this.#pages.pagesOf(offset, length);
    if (file === undefined) {
      this.#pages.markLoaded(pages);
      return;
    }
    this.#pendingOperations++;
    try {
      for (const run of this.#pages.unloadedRuns(pages)) {
        const range = this.#byteRange(run);
        for (let start = range.start; start < range.end; start += stagingLength) {
          const end = Math.min(range.end, start + stagingLength);
          const staging = new Uint8Array(end - start);
          const bytesRead = await readIntoAsync(file.fd, staging, this.#fileOffset + start, file.path);
          if (this.#unmapped) return;
          this.#acceptPrefetched(staging, start);
          this.#checkRead(start, end - start, bytesRead, 'prefetch()');
        }
      }
    } finally {
      this.#operationSettled();
    }
  }

  unmap(): void {
    if (this.#unmapped) return;
    this.#unmapped = true;
    forgetAtExit(this);
    const data = this.#data;
    this.#data = undefined;
    this.#snapshot = undefined;
    // Detach for real: every view handed out gets length 0. A buffer the user already
    // transferred away is detached (byteLength 0) and cannot be transferred again.
    if (data !== undefined && data.byteLength > 0) structuredClone(data, { transfer: [data] });
    if (this.#pendingOperations === 0) this.#closeDescriptor();
  }

  release(): void {
    // The `Mapping` was collected without close(): write back what is there now (views
    // still reachable may change more; that is the price of not closing).
    this.writeBackAtExit();
    forgetAtExit(this);
    this.#unmapped = true;
    this.#data = undefined;
    this.#snapshot = undefined;
    if (this.#pendingOperations === 0) {
      try {
        this.#closeDescriptor();
      } catch {
        // Runs in a finalizer: there is nobody to report to.
      }
    }
  }

  /** The buffer; `ERR_MMAP_CLOSED` after unmap (the front normally prevents that), `ERR_MMAP_DETACHED` after a user transfer. */
  #liveData(): ArrayBuffer {
    const data = this.#data;
    if (data === undefined) throw closed('mapping', 'a method');
    if (data.byteLength === 0) {
      throw detached('its unsynced changes went with it.');
    }
    return data;
  }

  /** Loads every not-yet-loaded page touched by `[offset, offset + length)`. */
  #load(offset: number, length: number): void {
    const pages = this.#pages.pagesOf(offset, length);
    let allLoaded = true;
    for (let page = pages.first; page < pages.end; page++) {
      if (!this.#pages.isLoaded(page)) {
        allLoaded = false;
        break;
      }
    }
    if (allLoaded) return;
    const file = this.#file;
    const data = this.#liveData();
    for (const run of this.#pages.unloadedRuns(pages)) {
      if (file === undefined) {
        this.#pages.markLoaded(run);
        continue;
      }
      const range = this.#byteRange(run);
      const bytesRead = readRegion(file.fd, data, range.start, range.end - range.start, this.#fileOffset + range.start, file.path);
      if (this.#snapshot !== undefined) copyRegion(data, this.#snapshot, range.start, range.end - range.start);
      this.#pages.markLoaded(run);
      this.#checkRead(range.start, range.end - range.start, bytesRead, 'a read from the file');
    }
  }

  /** Whether changes are written back to the file: a shared mapping of a writable descriptor, still mapped. */
  #writesBack(): boolean {
    return this.#file?.writeFd !== undefined && this.#sharing === 'shared' && this.#snapshot !== undefined;
  }

  /**
   * Writes the changed bytes of the loaded, read-write pages of a range, each run as soon
   * as it is found (no list of runs is built). Never past the file's end: a file truncated
   * behind our back is neither extended again nor given back its truncated range.
   */
  #writeChanges(offset: number, length: number): void {
    const file = this.#file as FileAccess;
    const writeFd = file.writeFd as number;
    const snapshot = this.#snapshot as ArrayBuffer;
    const data = this.#liveData();
    const pageRuns = this.#pages.writableLoadedRuns(this.#pages.pagesOf(offset, length));
    if (pageRuns.length === 0) return;
    const writableEnd = this.#writableEnd();
    for (const pageRun of pageRuns) {
      const range = this.#byteRange(pageRun);
      forEachChangedRun(data, snapshot, range.start, Math.min(range.end, Math.max(range.start, writableEnd)), (start, end) => {
        writeRegion(writeFd, data, start, end - start, this.#fileOffset + start, file.path);
        copyRegion(data, snapshot, start, end - start);
        this.#unflushedWrites = true;
      });
    }
  }

  /** Region bytes `[0, result)` may be written; notes a truncation found on the way. */
  #writableEnd(): number {
    const writableEnd = (this.#fileEnd as FileEnd).writableEnd();
    this.#acceptTruncation();
    return writableEnd;
  }

  /** After a read of `length` bytes at region offset `start` gave `bytesRead`: throws if the file was truncated. */
  #checkRead(start: number, length: number, bytesRead: number, what: string): void {
    if (bytesRead >= length || this.#fileEnd?.readWasCutShort(start, length, bytesRead) !== true) return;
    this.#acceptTruncation();
    this.#throwIfTruncated(what);
  }

  #throwIfTruncated(what: string): void {
    if (this.#fileEnd?.truncation !== undefined) throw this.#fileEnd.error(what);
  }

  /**
   * Once a truncation is known: the mapping reports it as a fault (every later call but
   * `close()` throws `ERR_MMAP_TRUNCATED`, as with the native backend's guard), and the
   * loaded bytes past the new end become zeros in memory and snapshot, as a kernel mapping
   * shows them; they are never written back.
   */
  #acceptTruncation(): void {
    const truncation = this.#fileEnd?.truncation;
    if (truncation === undefined || this.#truncatedTailDiscarded) return;
    this.#truncatedTailDiscarded = true;
    this.#faults = Object.freeze([truncation]);
    const data = this.#data;
    if (data === undefined || data.byteLength === 0 || truncation.offset >= this.#length) return;
    for (const run of this.#pages.loadedRuns(this.#pages.pagesOf(truncation.offset, this.#length - truncation.offset))) {
      const range = this.#byteRange(run);
      const start = Math.max(range.start, truncation.offset);
      zeroRegion(data, start, range.end - start);
      if (this.#snapshot !== undefined) zeroRegion(this.#snapshot, start, range.end - start);
    }
  }

  /** Changed bytes of loaded, writable pages in a range, clipped to the file's current end. */
  #writableChanges(offset: number, length: number): ByteRun[] {
    const data = this.#liveData();
    const snapshot = this.#snapshot;
    if (snapshot === undefined) return [];
    const pageRuns = this.#pages.writableLoadedRuns(this.#pages.pagesOf(offset, length));
    if (pageRuns.length === 0) return [];
    const writableEnd = this.#writableEnd();
    const runs: ByteRun[] = [];
    for (const pageRun of pageRuns) {
      const range = this.#byteRange(pageRun);
      forEachChangedRun(data, snapshot, range.start, Math.min(range.end, Math.max(range.start, writableEnd)), (start, end) => {
        runs.push({ start, end });
      });
    }
    return runs;
  }

  /**
   * Re-reads region bytes `[start, end)` from the file. Where the mapping has changes not
   * yet synced (data differs from the snapshot) the data is kept; everywhere else the
   * file's bytes are taken. The snapshot becomes the file's bytes.
   */
  #mergeFromFile(data: ArrayBuffer, start: number, end: number): void {
    const file = this.#file as FileAccess;
    const snapshot = this.#snapshot;
    if (snapshot === undefined) {
      const bytesRead = readRegion(file.fd, data, start, end - start, this.#fileOffset + start, file.path);
      this.#checkRead(start, end - start, bytesRead, 'refresh()');
      return;
    }
    // Read into a staging buffer first: a failed read must leave data and snapshot as they were.
    const staging = new ArrayBuffer(end - start);
    const bytesRead = readRegion(file.fd, staging, 0, end - start, this.#fileOffset + start, file.path);
    const fileBytes = new Uint8Array(staging);
    const dataBytes = new Uint8Array(data, start, end - start);
    let cursor = 0;
    forEachChangedRun(data, snapshot, start, end, (changeStart, changeEnd) => {
      dataBytes.set(fileBytes.subarray(cursor, changeStart - start), cursor);
      cursor = changeEnd - start;
    });
    dataBytes.set(fileBytes.subarray(cursor), cursor);
    new Uint8Array(snapshot, start, end - start).set(fileBytes);
    this.#checkRead(start, end - start, bytesRead, 'refresh()');
  }

  /**
   * `MADV_DONTNEED` as the kernel does it: a private mapping's changes are discarded (file
   * pages are read again, anonymous memory becomes zeros); a shared file mapping loses
   * nothing (its changes would be in the page cache) and re-reads the rest; shared
   * anonymous memory keeps its contents.
   */
  #dontNeed(offset: number, length: number): void {
    const data = this.#liveData();
    if (this.#sharing === 'shared') {
      this.refresh(offset, length);
      return;
    }
    const file = this.#file;
    for (const run of this.#pages.loadedRuns(this.#pages.pagesOf(offset, length))) {
      const range = this.#byteRange(run);
      if (file === undefined) {
        zeroRegion(data, range.start, range.end - range.start);
        continue;
      }
      const bytesRead = readRegion(file.fd, data, range.start, range.end - range.start, this.#fileOffset + range.start, file.path);
      if (this.#snapshot !== undefined) copyRegion(data, this.#snapshot, range.start, range.end - range.start);
      this.#checkRead(range.start, range.end - range.start, bytesRead, "unsafeAdvise('dontneed')");
    }
  }

  /** Copies prefetched file bytes into every page of them that is still not loaded. */
  #acceptPrefetched(staging: Uint8Array, start: number): void {
    const data = this.#liveData();
    const pages = this.#pages.pagesOf(start, staging.byteLength);
    for (const run of this.#pages.unloadedRuns(pages)) {
      const range = this.#byteRange(run);
      const bytes = staging.subarray(range.start - start, range.end - start);
      new Uint8Array(data, range.start, bytes.byteLength).set(bytes);
      if (this.#snapshot !== undefined) new Uint8Array(this.#snapshot, range.start, bytes.byteLength).set(bytes);
      this.#pages.markLoaded(run);
    }
  }

  /** The region bytes of a page run (the last page may be partial). */
  #byteRange(run: PageRun): ByteRun {
    return { start: run.first * this.#pages.pageSize, end: Math.min(this.#length, run.end * this.#pages.pageSize) };
  }

  #operationSettled(): void {
    this.#pendingOperations--;
    if (this.#unmapped && this.#pendingOperations === 0) {
      try {
        this.#closeDescriptor();
      } catch {
        // The mapping is gone; the operation's own result is what its caller sees.
      }
    }
  }

  #closeDescriptor(): void {
    if (this.#descriptorClosed || this.#file === undefined) return;
    this.#descriptorClosed = true;
    try {
      releaseAccess(this.#file);
      if (this.#ownsFd) closeSync(this.#file.fd);
    } catch (error) {
      throw fromNodeError(error, this.#file.path);
    }
  }
}

/** Splits a run into pieces of at most `transferChunkLength` bytes. */
function chunksOf(run: ByteRun): ByteRun[] {
  const chunks: ByteRun[] = [];
  for (let start = run.start; start < run.end; start += transferChunkLength) {
    chunks.push({ start, end: Math.min(run.end, start + transferChunkLength) });
  }
  return chunks;
}

function copyOf(buffer: ArrayBuffer, run: ByteRun): Uint8Array {
  return new Uint8Array(buffer.slice(run.start, run.end));
}

/**
 * A zero-filled buffer of `length` bytes. The operating system commits its memory lazily,
 * so an untouched 10 GiB region costs no RAM.
 */
function allocate(length: number, path: string | undefined): ArrayBuffer {
  try {
    return new ArrayBuffer(length);
  } catch (error) {
    const failure = systemError('mmap', 'ENOMEM', `cannot allocate ${length} bytes for the mapping (${String(error)})`, path);
    Object.defineProperty(failure, 'cause', { value: error, enumerable: false, configurable: true });
    throw failure;
  }
}
