import {
  MmapError,
  systemError,
  unsupported,
  WindowSet,
  type Advice,
  type BackendMapping,
  type Protection,
  type Sharing,
  type UncheckedAdvice,
  type UncheckedProtection,
  type WindowSlice,
} from '@mmapkit/core';
import { AddressRange } from './address-range.js';
import type { Kernel32, Pointer } from './kernel32.js';
import type { Koffi } from './koffi.js';
import { win32 } from './platform/win32.js';
import { abandonWindows, retireWindows, viewOf } from './views.js';

/** What every Windows mapping shares: the bindings and the facts found at load. */
export interface WindowsContext {
  readonly koffi: Koffi;
  readonly kernel32: Kernel32;
  readonly pageSize: number;
  readonly allocationGranularity: number;
  readonly largestView: number;
  /** `ArrayBuffer.prototype.transfer` detaches a koffi view (Node 22+). */
  readonly canDetach: boolean;
}

/** The `PAGE_*` value of a protection: copy-on-write pages are `PAGE_WRITECOPY` when writable. */
export function pageProtection(protection: Protection | UncheckedProtection, sharing: Sharing): number {
  switch (protection) {
    case 'none':
      return win32.PAGE_NOACCESS;
    case 'read':
      return win32.PAGE_READONLY;
    case 'read-write':
      return sharing === 'shared' ? win32.PAGE_READWRITE : win32.PAGE_WRITECOPY;
    default:
      // Executable views need FILE_MAP_EXECUTE and are not offered (see capabilities).
      throw unsupported('ffi-koffi', `protection '${protection}' on Windows`);
  }
}

/** A `syncAsync()` in flight, and what `close()` learned when it flushed the range itself. */
interface PendingSync {
  readonly offset: number;
  readonly length: number;
  flushedByClose: boolean;
  closeError: unknown;
}

/** What a mapping needs besides the context: the view and what it may do. */
export interface WindowsView {
  readonly address: Pointer;
  readonly length: number;
  readonly sharing: Sharing;
  /** The view was mapped with write access (`FILE_MAP_WRITE` or `FILE_MAP_COPY`). */
  readonly writable: boolean;
  /**
   * The file's handle (a duplicate this mapping owns) for `FlushFileBuffers`, when writes
   * can reach the file (a shared writable view of a file); else `undefined`.
   */
  readonly file: Pointer | undefined;
  readonly path: string | undefined;
}

/**
 * One live view (`MapViewOfFile`). Receives checked, page-aligned values from core's
 * `Mapping` and calls kernel32 with them. Windows are `koffi.view()`s.
 *
 * After `unmap()` (close) a view handed out before stays harmless: detached where the
 * runtime can detach it; otherwise the view is unmapped and private zero pages are
 * committed at the same address at once (`VirtualAlloc`), so nothing written reaches the
 * file and nothing read crashes. Windows has no atomic replacement without placeholders
 * (`MapViewOfFile3`, which Wine 8 lacks): between the two calls another thread of this
 * process could take the address; `close()` then throws `ERR_MMAP_SYSTEM` (see README).
 */
export class WindowsMapping implements BackendMapping {
  readonly #context: WindowsContext;
  readonly #view: WindowsView;
  readonly #range: AddressRange;
  readonly #windows: WindowSet;
  readonly #pendingSyncs = new Set<PendingSync>();
  #ended = false;
  /** What is at the address now: the view, private zero pages, or nothing. */
  #backing: 'view' | 'zeros' | 'nothing' = 'view';
  #fileClosed = false;

  constructor(context: WindowsContext, view: WindowsView) {
    this.#context = context;
    this.#view = view;
    this.#range = new AddressRange(() => this.#free(), view.address, view.length);
    this.#windows = new WindowSet(view.length, context.largestView, context.pageSize, (start, windowLength) => this.#makeView(start, windowLength));
  }

  window(offset: number, length: number): WindowSlice {
    return this.#windows.window(offset, length);
  }

  sync(offset: number, length: number, asynchronous: boolean): void {
    const { kernel32 } = this.#context;
    kernel32.flushViewOfFile(this.#at(offset), length, this.#view.path);
    // FlushViewOfFile only starts the write-back; FlushFileBuffers waits for the disk.
    if (!asynchronous && this.#view.file !== undefined) kernel32.flushFileBuffers(this.#view.file, this.#view.path);
  }

  async syncAsync(offset: number, length: number): Promise<void> {
    const { kernel32 } = this.#context;
    const pending: PendingSync = { offset, length, flushedByClose: false, closeError: undefined };
    this.#pendingSyncs.add(pending);
    try {
      await this.#range.whileMapped(async () => {
        await kernel32.flushViewOfFileAsync(this.#at(offset), length, this.#view.path);
        if (this.#view.file !== undefined) await kernel32.flushFileBuffersAsync(this.#view.file, this.#view.path);
      });
    } catch (error) {
      if (!pending.flushedByClose) throw error;
    } finally {
      this.#pendingSyncs.delete(pending);
      // close() left the file handle to the last flush in flight: it is done now.
      if (this.#ended && this.#backing !== 'view' && this.#pendingSyncs.size === 0) this.#closeFile();
    }
    if (pending.flushedByClose && pending.closeError !== undefined) throw pending.closeError;
  }

  refresh(): void {
    // Views of one section share its pages: a mapping always shows the file's current bytes.
  }

  advise(offset: number, length: number, advice: Advice | UncheckedAdvice): void {
    // Only the advice declared in the capabilities gets here: 'normal' (nothing to undo on
    // Windows) and 'willneed'.
    if (advice === 'willneed') this.#context.kernel32.prefetchVirtualMemory(this.#at(offset), length);
  }

  protect(offset: number, length: number, protection: Protection | UncheckedProtection): void {
    if (protection === 'read-write' && !this.#view.writable) {
      // The same error mprotect gives for a shared mapping of a file opened read-only.
      throw systemError('VirtualProtect', 'EACCES', 'the view was mapped read-only (the file was not opened for writing)', this.#view.path);
    }
    this.#context.kernel32.virtualProtect(this.#at(offset), length, pageProtection(protection, this.#view.sharing));
  }

  residency(): Uint8Array {
    throw unsupported('ffi-koffi', 'residency() on Windows');
  }

  lock(offset: number, length: number): void {
    this.#context.kernel32.virtualLock(this.#at(offset), length);
  }

  unlock(offset: number, length: number): void {
    this.#context.kernel32.virtualUnlock(this.#at(offset), length);
  }

  async prefetch(offset: number, length: number): Promise<void> {
    const { kernel32 } = this.#context;
    // Without PrefetchVirtualMemory there is nothing off the main thread to do: prefetch is advice.
    if (!kernel32.hasPrefetch) return;
    const address = this.#at(offset);
    await this.#range.whileMapped(async () => {
      try {
        await kernel32.prefetchVirtualMemoryAsync(address, length);
      } catch (error) {
        // Prefetching a closed mapping has nothing left to do.
        if (!this.#ended) throw error;
      }
    });
  }

  unmap(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#flushPendingSyncs();
    retireWindows(this.#windows, this.#range, this.#context.canDetach, () => this.#replaceWithZeros());
  }

  release(): void {
    if (this.#ended) return;
    this.#ended = true;
    abandonWindows(this.#windows, this.#range);
  }

  /**
   * Unmap the view and commit private zero pages at the same address, so that stale views
   * read 0 and write into memory nobody else sees. Also ends the view's hold on the file:
   * after close the file can be truncated or deleted, as on POSIX.
   */
  #replaceWithZeros(): void {
    const { kernel32 } = this.#context;
    kernel32.unmapViewOfFile(this.#view.address);
    this.#backing = 'nothing';
    // A syncAsync() still running on a worker thread uses the file handle: then it is closed
    // by #free(), after that call.
    if (this.#pendingSyncs.size === 0) this.#closeFile();
    try {
      kernel32.virtualAlloc(this.#view.address, this.#view.length, win32.MEM_RESERVE | win32.MEM_COMMIT, win32.PAGE_READWRITE);
    } catch (error) {
      const failure = systemError(
        'VirtualAlloc',
        (MmapError.isInstance(error) ? error.errno : undefined) ?? 'UNKNOWN',
        'close() unmapped the view but could not put zero pages behind the views handed out: another thread took the address first. Do not touch those views.',
      );
      Object.defineProperty(failure, 'cause', { value: error, enumerable: false, configurable: true });
      throw failure;
    }
    this.#backing = 'zeros';
  }

  /** The last step, once nothing can reach the range (see AddressRange). */
  #free(): void {
    const { kernel32 } = this.#context;
    const backing = this.#backing;
    this.#backing = 'nothing';
    try {
      if (backing === 'view') kernel32.unmapViewOfFile(this.#view.address);
      else if (backing === 'zeros') kernel32.virtualFree(this.#view.address);
    } finally {
      this.#closeFile();
    }
  }

  #closeFile(): void {
    if (this.#fileClosed || this.#view.file === undefined) return;
    this.#fileClosed = true;
    this.#context.kernel32.closeHandle(this.#view.file);
  }

  /** close() with syncAsync() in flight: flush those ranges here, before they go away. */
  #flushPendingSyncs(): void {
    for (const pending of this.#pendingSyncs) {
      pending.flushedByClose = true;
      try {
        this.sync(pending.offset, pending.length, false);
      } catch (error) {
        pending.closeError = error;
      }
    }
  }

  #makeView(start: number, length: number): ArrayBuffer {
    return viewOf(this.#context.koffi, this.#range, this.#at(start), length, this.#context.largestView);
  }

  #at(offset: number): bigint {
    return this.#view.address + BigInt(offset);
  }
}

