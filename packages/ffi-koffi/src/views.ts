import { MmapError } from '@mmapkit/core';
import type { AddressRange } from './address-range.js';
import type { Koffi } from './koffi.js';

/**
 * `koffi.view()` over mapped memory, shared by the POSIX and Windows mappings: the length
 * check that keeps koffi from aborting the process, buffer tracking, and detaching.
 */

/** What one trial view on a scratch page says about this runtime. */
export interface ViewFacts {
  /** `koffi.view()` works (a V8 memory cage, as in Electron, refuses external buffers). */
  readonly externalBuffers: boolean;
  /** Why external buffers are refused, when they are. */
  readonly externalBuffersError: unknown;
  /** `ArrayBuffer.prototype.transfer` exists and detached a koffi view. */
  readonly canDetach: boolean;
}

/**
 * Views one scratch page (`range`, owned by the caller's allocator) and tries to detach the
 * view, then ends the range. Decided by trying the feature, never by a version string.
 */
export function inspectViews(koffi: Koffi, range: AddressRange, pageSize: number): ViewFacts {
  let externalBuffers = true;
  let externalBuffersError: unknown;
  let canDetach = false;
  try {
    const buffer = koffi.view(range.address, pageSize);
    range.trackBuffer(buffer);
    const transfer = (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
    if (typeof transfer === 'function') {
      try {
        transfer.call(buffer, 0);
        canDetach = buffer.byteLength === 0;
      } catch {
        canDetach = false;
      }
    }
  } catch (error) {
    externalBuffers = false;
    externalBuffersError = error;
  }
  range.end(canDetach || !externalBuffers, false);
  return { externalBuffers, externalBuffersError, canDetach };
}

/**
 * A `koffi.view()` of `length` bytes at `address`, tracked by `range` so the memory outlives
 * it. koffi aborts the process when a view fails: the length is checked first.
 */
export function viewOf(koffi: Koffi, range: AddressRange, address: bigint, length: number, largestView: number): ArrayBuffer {
  if (!(length > 0 && length <= largestView)) {
    throw new MmapError('ERR_MMAP_VIEW_TOO_LARGE', `A window of ${length} bytes is outside 1..${largestView}, the views koffi can make here.`);
  }
  const buffer = koffi.view(address, length);
  range.trackBuffer(buffer);
  return buffer;
}

/** Detaches a view (only where `ViewFacts.canDetach`). */
export function detach(buffer: ArrayBuffer): void {
  (buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
}
