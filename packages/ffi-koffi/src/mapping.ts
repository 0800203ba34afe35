import {
  MmapError,
  WindowSet,
  type Advice,
  type BackendMapping,
  type Protection,
  type UncheckedAdvice,
  type UncheckedProtection,
  type WindowSlice,
} from '@mmapkit/core';
import { AddressRange } from './address-range.js';
import type { BackendContext } from './context.js';
import { present } from './failures.js';
import { platformProtectionBits } from './protection.js';
import { abandonWindows, retireWindows, viewOf } from './views.js';

/** A `syncAsync()` in flight, and what `close()` learned when it flushed the range itself. */
interface PendingSync {
  readonly offset: number;
  readonly length: number;
  flushedByClose: boolean;
  closeError: unknown;
}

/**
 * One live mapping. Receives checked, page-aligned values from core's `Mapping` and calls
 * the C library with them. Windows are `koffi.view()`s of at most `largestView` bytes.
 *
 * After `unmap()` (close) a view handed out before stays harmless: detached where the
 * runtime can detach it, otherwise it shows private zero pages that replaced the mapping
 * (`MAP_FIXED`), so nothing written reaches the file and nothing read crashes.
 */
export class KoffiMapping implements BackendMapping {
  readonly #context: BackendContext;
  readonly #range: AddressRange;
  readonly #windows: WindowSet;
  readonly #path: string | undefined;
  readonly #pendingSyncs = new Set<PendingSync>();
  #ended = false;

  constructor(context: BackendContext, address: bigint, length: number, path: string | undefined) {
    this.#context = context;
    this.#range = new AddressRange((start, bytes) => context.libc.munmap(start, bytes), address, length);
    this.#path = path;
    this.#windows = new WindowSet(length, context.largestView, context.pageSize, (start, windowLength) => this.#view(start, windowLength));
  }

  window(offset: number, length: number): WindowSlice {
    return this.#windows.window(offset, length);
  }

  sync(offset: number, length: number, asynchronous: boolean, invalidate: boolean): void {
    const { platform, libc } = this.#context;
    const flags = (asynchronous ? platform.MS_ASYNC : platform.MS_SYNC) | (invalidate ? present(platform.MS_INVALIDATE, 'MS_INVALIDATE') : 0);
    libc.msync(this.#at(offset), length, flags, this.#path);
  }

  async syncAsync(offset: number, length: number): Promise<void> {
    const { platform, libc } = this.#context;
    const pending: PendingSync = { offset, length, flushedByClose: false, closeError: undefined };
    this.#pendingSyncs.add(pending);
    try {
      await this.#range.whileMapped(() => libc.msyncAsync(this.#at(offset), length, platform.MS_SYNC, this.#path));
    } catch (error) {
      if (!pending.flushedByClose) throw error;
    } finally {
      this.#pendingSyncs.delete(pending);
    }
    // close() ran meanwhile and flushed the range before taking it away: its result is the one.
    if (pending.flushedByClose && pending.closeError !== undefined) throw pending.closeError;
  }

  refresh(): void {
    // The page cache is coherent: a mapping always shows the file's current bytes.
  }

  advise(offset: number, length: number, advice: Advice | UncheckedAdvice): void {
    const value = present(this.#context.platform.advice[advice], `advice '${advice}'`);
    this.#context.libc.madvise(this.#at(offset), length, value);
  }

  protect(offset: number, length: number, protection: Protection | UncheckedProtection): void {
    this.#context.libc.mprotect(this.#at(offset), length, platformProtectionBits(this.#context.platform, protection));
  }

  residency(offset: number, length: number): Uint8Array {
    const pages = Math.ceil(length / this.#context.pageSize);
    const vector = this.#context.libc.mincore(this.#at(offset), length, pages);
    for (let page = 0; page < vector.length; page++) vector[page] = (vector[page] as number) & 1;
    return vector;
  }

  lock(offset: number, length: number): void {
    this.#context.libc.mlock(this.#at(offset), length);
  }

  unlock(offset: number, length: number): void {
    this.#context.libc.munlock(this.#at(offset), length);
  }

  async prefetch(offset: number, length: number): Promise<void> {
    const { platform, libc } = this.#context;
    const address = this.#at(offset);
    await this.#range.whileMapped(async () => {
      for (const [index, advice] of platform.prefetchAdvice.entries()) {
        try {
          await libc.madviseAsync(address, length, advice);
          return;
        } catch (error) {
          // Prefetching a closed mapping has nothing left to do.
          if (this.#ended) return;
          // EINVAL: a kernel older than the advice; EFAULT: pages that cannot be read
          // (PROT_NONE, past the end of the file): fall back to plain read-ahead advice.
          const fallBack = index + 1 < platform.prefetchAdvice.length && isErrno(error, 'EINVAL', 'EFAULT');
          if (!fallBack) throw error;
        }
      }
    });
  }

  unmap(): void {
    if (this.#ended) return;
    this.#ended = true;
    const { platform, libc, canDetach } = this.#context;
    this.#flushPendingSyncs();
    retireWindows(this.#windows, this.#range, canDetach, () => {
      // Atomically replace the file mapping with private zero pages: stale views read 0 and
      // their writes land in memory nobody else sees, never in the file.
      const flags = platform.MAP_PRIVATE | platform.MAP_ANONYMOUS | platform.MAP_FIXED | (platform.MAP_NORESERVE ?? 0);
      libc.mmap(this.#range.address, this.#range.length, platform.PROT_READ | platform.PROT_WRITE, flags, -1, 0);
    });
  }

  release(): void {
    if (this.#ended) return;
    this.#ended = true;
    abandonWindows(this.#windows, this.#range);
  }

  /** close() with syncAsync() in flight: flush those ranges here, before they go away. */
  #flushPendingSyncs(): void {
    const { platform, libc } = this.#context;
    for (const pending of this.#pendingSyncs) {
      pending.flushedByClose = true;
      try {
        libc.msync(this.#at(pending.offset), pending.length, platform.MS_SYNC, this.#path);
      } catch (error) {
        pending.closeError = error;
      }
    }
  }

  #view(start: number, length: number): ArrayBuffer {
    return viewOf(this.#context.koffi, this.#range, this.#at(start), length, this.#context.largestView);
  }

  #at(offset: number): bigint {
    return this.#range.address + BigInt(offset);
  }
}


function isErrno(error: unknown, ...names: string[]): boolean {
  return MmapError.isInstance(error) && error.errno !== undefined && names.includes(error.errno);
}

