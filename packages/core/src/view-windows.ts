import type { WindowSlice } from './api.js';

/**
 * Bookkeeping for backends that hand out one `ArrayBuffer` per window of a mapping:
 * decides where windows start, reuses a window that already covers a request, and
 * guarantees that no two windows share a start address (V8 aborts on two external
 * buffers at one address).
 *
 * A region that fits one view gets exactly one window, at offset 0. A larger region gets
 * windows created on demand, starting at the page below the requested offset and as long
 * as `largestView` allows.
 */
export class WindowSet {
  readonly #regionLength: number;
  readonly #largestView: number;
  readonly #pageSize: number;
  readonly #create: (start: number, length: number) => ArrayBuffer;
  readonly #windows = new Map<number, { buffer: ArrayBuffer; length: number }>();

  /**
   * @param regionLength - bytes in the mapped region
   * @param largestView - the most bytes one buffer may cover
   * @param pageSize - the page size; window starts are page-aligned where possible
   * @param create - makes the buffer for region bytes `[start, start + length)`
   */
  constructor(regionLength: number, largestView: number, pageSize: number, create: (start: number, length: number) => ArrayBuffer) {
    this.#regionLength = regionLength;
    this.#largestView = largestView;
    this.#pageSize = pageSize;
    this.#create = create;
  }

  /** A buffer covering region bytes `[offset, offset + length)`; `length <= largestView`. */
  window(offset: number, length: number): WindowSlice {
    for (const [start, window] of this.#windows) {
      if (start <= offset && offset + length <= start + window.length) {
        return { buffer: window.buffer, byteOffset: offset - start };
      }
    }
    let start = 0;
    if (this.#regionLength > this.#largestView) {
      start = offset - (offset % this.#pageSize);
      if (offset + length > start + this.#largestView) start = offset;
      // A window that would end early at the region's end starts lower instead, so
      // windows near the end are as long as allowed.
      start = Math.min(start, Math.max(0, this.#regionLength - this.#largestView));
    }
    const windowLength = Math.min(this.#largestView, this.#regionLength - start);
    const existing = this.#windows.get(start);
    if (existing !== undefined && start + existing.length >= offset + length) {
      return { buffer: existing.buffer, byteOffset: offset - start };
    }
    const buffer = this.#create(start, windowLength);
    this.#windows.set(start, { buffer, length: windowLength });
    return { buffer, byteOffset: offset - start };
  }

  /** Every buffer handed out, for detaching or neutralising them at unmap. */
  buffers(): ArrayBuffer[] {
    return [...this.#windows.values()].map((window) => window.buffer);
  }

  /** The windows as `[start, length]` pairs. */
  ranges(): Array<[start: number, length: number]> {
    return [...this.#windows].map(([start, window]) => [start, window.length]);
  }

  /** Forget every window (after they were detached). */
  clear(): void {
    this.#windows.clear();
  }
}
