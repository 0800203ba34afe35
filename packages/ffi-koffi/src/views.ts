import { viewTooLarge, type WindowSet } from '@mmapkit/core';
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
    throw viewTooLarge(length, largestView);
  }
  const buffer = koffi.view(address, length);
  range.trackBuffer(buffer);
  return buffer;
}

/** Detaches a view (only where `ViewFacts.canDetach`). */
export function detach(buffer: ArrayBuffer): void {
  (buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
}

/**
 * Retires every window of a mapping at `close()`: detaches the views where the runtime can,
 * keeps memory that user code moved away (`transfer()`) mapped for good, and otherwise calls
 * `replaceWithZeros` so stale views read 0 and write nowhere. Ends `range` accordingly.
 */
export function retireWindows(windows: WindowSet, range: AddressRange, canDetach: boolean, replaceWithZeros: () => void): void {
  const buffers = windows.buffers();
  windows.clear();
  // A buffer already detached that we did not detach: user code moved its memory away
  // (`transfer()`, Node 22+). That memory must stay valid for as long as the process lives.
  const moved = buffers.some((buffer) => buffer.byteLength === 0);
  if (canDetach) {
    for (const buffer of buffers) if (buffer.byteLength !== 0) detach(buffer);
  }
  if (buffers.length === 0) {
    // No view was ever made: nothing can touch the range, free it as soon as calls finish.
    range.end(true, false);
    return;
  }
  if (!canDetach || moved) replaceWithZeros();
  range.end(canDetach && !moved, moved);
}

/**
 * The `Mapping` was collected without `close()`: views may outlive it, so the range is freed
 * only once they are collected too (never, for memory user code moved away).
 */
export function abandonWindows(windows: WindowSet, range: AddressRange): void {
  const buffers = windows.buffers();
  windows.clear();
  range.end(false, buffers.some((buffer) => buffer.byteLength === 0));
}
