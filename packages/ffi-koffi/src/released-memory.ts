/**
 * Giving back memory that Node frees late. Every `koffi.view()` is an external ArrayBuffer,
 * and Node frees its bookkeeping (about 250 bytes) only on a later event-loop turn, after
 * the view was detached or collected; the `FinalizationRegistry` that unmaps a range once its
 * views are collected runs on a later turn too. A loop that maps and closes 200,000 times
 * without yielding piles all of it up, and it is freed in one batch afterwards. glibc's
 * malloc keeps such freed memory (spread among live allocations, so never at the top of
 * the heap) and the process's RSS would stay at that high-water mark for good. Every
 * `releasesPerTrim` views released, the free pages of the malloc heap go back to the system.
 * (native-napi does the same in its addon, `native/memory.cc`.)
 */

/** About 8,192 x 250 bytes (2 MiB) freed between two trims; a trim costs 0.06–6 ms. */
const releasesPerTrim = 8192;

/** Process-wide, as the malloc heap is: one backend instance per process sets it. */
let trimHeap: (() => void) | undefined;
let releasesSinceTrim = 0;
let trimScheduled = false;

/** Sets how the heap is trimmed (`CLibrary.trimHeap`); none where the C library cannot. */
export function useHeapTrim(trim: (() => void) | undefined): void {
  trimHeap = trim;
}

/**
 * Counts one view detached or collected; every `releasesPerTrim` of them, trims the heap on
 * the next event-loop turn: Node frees a collected view's bookkeeping only after the
 * finalizer that counted it (from its immediate queue, which runs before JavaScript's).
 */
export function noteViewReleased(): void {
  releasesSinceTrim += 1;
  if (releasesSinceTrim < releasesPerTrim || trimScheduled) return;
  trimScheduled = true;
  setImmediate(trimNow).unref();
}

function trimNow(): void {
  trimScheduled = false;
  releasesSinceTrim = 0;
  try {
    trimHeap?.();
  } catch {
    // A failed trim only means the memory stays with malloc.
  }
}
