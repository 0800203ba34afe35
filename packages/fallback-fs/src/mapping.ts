/**
 * One mapping of the fs backend: a plain `ArrayBuffer` holding the whole region, filled
 * from the file page by page on first use, with changes found by comparison against a
 * snapshot and written back by `sync()`.
 *
 * @packageDocumentation
 */

import { closeSync, fstatSync } from 'node:fs';
import {
  closed,
  detached,
  fromNodeError,
  systemError,
  unsupported,
  type Advice,
  type BackendMapping,
  type Protection,
  type Sharing,
  type UncheckedAdvice,
  type UncheckedProtection,
  type WindowSlice,
} from '@mmapkit/core';
import { forEachChangedRun, type ByteRun } from './changes.js';
import { releaseAccess, type FileAccess } from './descriptor.js';
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
 */
export class FsMapping implements BackendMapping {
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
    if (init.populate) this.#load(0, init.length);
  }

  window(offset: number, length: number): WindowSlice {
    const data = this.#liveData();
    this.#load(offset, length);
    return { buffer: data, byteOffset: offset };
  }

  sync(offset: number, length: number, asynchronous: boolean): void {
    const file = this.#file;
    const snapshot = this.#snapshot;
    if (file?.writeFd === undefined || this.#sharing !== 'shared' || snapshot === undefined) return;
    const writeFd = file.writeFd;
    const data = this.#liveData();
    const pageRuns = this.#pages.writableLoadedRuns(this.#pages.pagesOf(offset, length));
    // Never extend a file truncated behind our back: bytes past its end are not written.
    const regionEnd = pageRuns.length === 0 ? 0 : this.#fileSize() - this.#fileOffset;
    for (const pageRun of pageRuns) {
      const range = this.#byteRange(pageRun);
      // Each run is written as soon as it is found, so no list of runs is ever built.
      forEachChangedRun(data, snapshot, range.start, Math.min(range.end, Math.max(range.start, regionEnd)), (start, end) => {
        writeRegion(writeFd, data, start, end - start, this.#fileOffset + start, file.path);
        copyRegion(data, snapshot, start, end - start);
        this.#unflushedWrites = true;
      });
    }
    if (!asynchronous && this.#unflushedWrites) {
      flushFile(writeFd, file.path);
      this.#unflushedWrites = false;
    }
  }

  async syncAsync(offset: number, length: number): Promise<void> {
    const file = this.#file;
    if (file?.writeFd === undefined || this.#sharing !== 'shared' || this.#snapshot === undefined) return;
    const writeFd = file.writeFd;
    const data = this.#liveData();
    // Copy the changed bytes now: the writes then neither race with later changes nor
    // depend on the buffer, which close() detaches.
    const copies = this.#writableChanges(offset, length).flatMap((run) => chunksOf(run).map((chunk) => ({ run: chunk, bytes: copyOf(data, chunk) })));
    if (copies.length === 0 && !this.#unflushedWrites) return;
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
          await readIntoAsync(file.fd, staging, this.#fileOffset + start, file.path);
          if (this.#unmapped) return;
          this.#acceptPrefetched(staging, start);
        }
      }
    } finally {
      this.#operationSettled();
    }
  }

  unmap(): void {
    if (this.#unmapped) return;
    this.#unmapped = true;
    const data = this.#data;
    this.#data = undefined;
    this.#snapshot = undefined;
    // Detach for real: every view handed out gets length 0. A buffer the user already
    // transferred away is detached (byteLength 0) and cannot be transferred again.
    if (data !== undefined && data.byteLength > 0) structuredClone(data, { transfer: [data] });
    if (this.#pendingOperations === 0) this.#closeDescriptor();
  }

  release(): void {
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
      if (file !== undefined) {
        const range = this.#byteRange(run);
        readRegion(file.fd, data, range.start, range.end - range.start, this.#fileOffset + range.start, file.path);
        if (this.#snapshot !== undefined) copyRegion(data, this.#snapshot, range.start, range.end - range.start);
      }
      this.#pages.markLoaded(run);
    }
  }

  /** Changed bytes of loaded, writable pages in a range, clipped to the file's current end. */
  #writableChanges(offset: number, length: number): ByteRun[] {
    const data = this.#liveData();
    const snapshot = this.#snapshot;
    if (snapshot === undefined) return [];
    const pageRuns = this.#pages.writableLoadedRuns(this.#pages.pagesOf(offset, length));
    if (pageRuns.length === 0) return [];
    const regionEnd = this.#fileSize() - this.#fileOffset;
    const runs: ByteRun[] = [];
    for (const pageRun of pageRuns) {
      const range = this.#byteRange(pageRun);
      forEachChangedRun(data, snapshot, range.start, Math.min(range.end, Math.max(range.start, regionEnd)), (start, end) => {
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
      readRegion(file.fd, data, start, end - start, this.#fileOffset + start, file.path);
      return;
    }
    // Read into a staging buffer first: a failed read must leave data and snapshot as they were.
    const staging = new ArrayBuffer(end - start);
    readRegion(file.fd, staging, 0, end - start, this.#fileOffset + start, file.path);
    const fileBytes = new Uint8Array(staging);
    const dataBytes = new Uint8Array(data, start, end - start);
    let cursor = 0;
    forEachChangedRun(data, snapshot, start, end, (changeStart, changeEnd) => {
      dataBytes.set(fileBytes.subarray(cursor, changeStart - start), cursor);
      cursor = changeEnd - start;
    });
    dataBytes.set(fileBytes.subarray(cursor), cursor);
    new Uint8Array(snapshot, start, end - start).set(fileBytes);
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
      readRegion(file.fd, data, range.start, range.end - range.start, this.#fileOffset + range.start, file.path);
      if (this.#snapshot !== undefined) copyRegion(data, this.#snapshot, range.start, range.end - range.start);
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

  #fileSize(): number {
    const file = this.#file as FileAccess;
    try {
      return fstatSync(file.fd).size;
    } catch (error) {
      throw fromNodeError(error, file.path);
    }
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
