/**
 * The frames: virtual memory as large as the file, where page `n` lives at byte
 * `n × pageSize` (vmcache's idea: translating a page number is an addition, and only the
 * pages the pool loaded use memory). Memory goes back to the kernel with `madvise`.
 *
 * - A private pool maps anonymous memory with `noReserve` (no swap reserved for a mapping
 *   that may be far larger than RAM) and frees frames with `MADV_DONTNEED`.
 * - A shared pool puts the frames in `SharedMemory` (memfd): every worker thread maps the
 *   same descriptor itself (Node 20 copies external `ArrayBuffer`s on `postMessage`, so a
 *   mapping cannot be sent), and frames are freed with `MADV_REMOVE`, which punches a hole in
 *   the shared memory (`MADV_DONTNEED` would only drop this thread's page-table entries of a
 *   shared mapping and keep the memory).
 *
 * Views are taken in windows of at most 1 GiB (`mapping.view()`), because one view is at most
 * 4 GiB on Node 20; a page never straddles two windows (windows are whole pages).
 */

import { mapAnonymous, SharedMemory, type Backend, type Mapping, type UncheckedAdvice } from 'mmapkit';
import { BufferPoolError } from './errors.js';

const largestWindow = 2 ** 30;

/** How the frames were made, for the capability check and the descriptor. */
export type FrameKind = 'private' | 'shared';

/** The advice that gives a frame's memory back, per kind. */
export function releaseAdviceOf(kind: FrameKind): UncheckedAdvice {
  return kind === 'private' ? 'dontneed' : 'remove';
}

/**
 * Throws `ERR_POOL_UNSUPPORTED` unless `backend` can hold frames of `kind`: zero-copy
 * views (the fs backend's views are ordinary memory that `madvise` cannot give back), the
 * release advice, and anonymous shared memory for a shared pool.
 */
export function checkBackendSupport(backend: Backend, kind: FrameKind): void {
  const capabilities = backend.capabilities;
  const advice = releaseAdviceOf(kind);
  const missing: string[] = [];
  if (!capabilities.zeroCopy) missing.push('zero-copy views (its mappings are copies in ordinary memory, which cannot be returned to the kernel page by page)');
  if (!capabilities.advice.includes(advice)) missing.push(`unsafeAdvise('${advice}')`);
  if (kind === 'shared' && !capabilities.anonymousSharedMemory) missing.push('anonymous shared memory');
  if (missing.length > 0) {
    throw new BufferPoolError('ERR_POOL_UNSUPPORTED', `The ${backend.name} backend cannot hold a ${kind} buffer pool: it lacks ${missing.join(' and ')}.`);
  }
}

/** The frame memory of one pool handle (each thread has its own `Frames` over the same memory when shared). */
export class Frames {
  readonly mapping: Mapping;
  readonly kind: FrameKind;
  readonly pageSize: number;
  /** The shared memory's descriptor (shared pools), else -1. */
  readonly memoryFd: number;
  readonly #memory: SharedMemory | undefined;
  readonly #advice: UncheckedAdvice;
  readonly #windowBytes: number;
  readonly #windowShift: number;
  readonly #windows: Uint8Array[] = [];

  private constructor(mapping: Mapping, kind: FrameKind, pageSize: number, memory: SharedMemory | undefined, memoryFd: number) {
    this.mapping = mapping;
    this.kind = kind;
    this.pageSize = pageSize;
    this.#memory = memory;
    this.memoryFd = memoryFd;
    this.#advice = releaseAdviceOf(kind);
    const largest = Math.min(largestWindow, mapping.backend.capabilities.largestView);
    // The largest power of two that fits, at least one page: windows hold whole pages.
    this.#windowShift = Math.max(Math.log2(pageSize), Math.floor(Math.log2(largest)));
    this.#windowBytes = 2 ** this.#windowShift;
  }

  /** Private anonymous frames of `byteLength` bytes. */
  static createPrivate(backend: Backend, byteLength: number, pageSize: number): Frames {
    const mapping = mapAnonymous(byteLength, { backend, noReserve: backend.capabilities.noReserve });
    return new Frames(mapping, 'private', pageSize, undefined, -1);
  }

  /** Shared frames of `byteLength` bytes in new shared memory. */
  static createShared(backend: Backend, byteLength: number, pageSize: number): Frames {
    const memory = SharedMemory.create(byteLength, { backend, name: 'mmapkit-buffer-pool' });
    try {
      return new Frames(memory.map(), 'shared', pageSize, memory, memory.fd);
    } catch (error) {
      memory.close();
      throw error;
    }
  }

  /** This thread's own mapping of shared frames another thread created. */
  static attachShared(backend: Backend, memoryFd: number, pageSize: number): Frames {
    // The descriptor belongs to the creating pool (worker threads share the descriptor
    // table); this SharedMemory object is only used to map it and is never closed here.
    const memory = SharedMemory.fromFd(memoryFd, { backend });
    return new Frames(memory.map(), 'shared', pageSize, undefined, memoryFd);
  }

  /** The frame of `page` (a view of the mapped memory, no copy). */
  view(page: number): Uint8Array {
    const start = page * this.pageSize;
    const windowIndex = Math.floor(start / this.#windowBytes);
    const window = this.#windows[windowIndex] ?? this.#openWindow(windowIndex);
    const inWindow = start - windowIndex * this.#windowBytes;
    return window.subarray(inWindow, inWindow + this.pageSize);
  }

  #openWindow(windowIndex: number): Uint8Array {
    const windowStart = windowIndex * this.#windowBytes;
    const window = this.mapping.view(windowStart, Math.min(this.#windowBytes, this.mapping.byteLength - windowStart));
    this.#windows[windowIndex] = window;
    return window;
  }

  /** Gives the memory of `count` pages from `first` back to the kernel; they read as zeros after. */
  release(first: number, count: number): void {
    this.mapping.unsafeAdvise(this.#advice, { offset: first * this.pageSize, length: count * this.pageSize });
  }

  /** Unmaps this thread's mapping; the creator also closes the shared memory's descriptor. */
  close(): void {
    this.mapping.close();
    this.#windows.length = 0;
    this.#memory?.close();
  }
}
