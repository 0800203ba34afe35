// Giving back memory that Node frees late. Node frees the bookkeeping of every external
// ArrayBuffer (each window) and of every handle's finalizer only on a later event-loop
// turn, all at once: a loop that maps and closes 200,000 times without yielding piles up
// about 400 bytes per mapping, freed in one batch afterwards. glibc's malloc keeps such
// freed memory (spread among live allocations, so never at the top of the heap) and the
// process's RSS would stay at that high-water mark for good. Every kReleasesPerTrim
// finalizer runs, the free pages of the malloc heap go back to the system.
#ifndef MMAPKIT_NATIVE_MEMORY_H
#define MMAPKIT_NATIVE_MEMORY_H

#include <cstdint>

namespace mmapkit {
namespace memory {

// About 8,192 x 400 bytes (3 MiB) of freed bookkeeping between two trims; a trim of a
// fragmented 85 MiB heap costs about 6 ms here, of a tidy one 0.06 ms.
constexpr uint32_t kReleasesPerTrim = 8192;

// Counts one finalizer run (a window's or a handle's); every kReleasesPerTrim of them,
// returns the malloc heap's free pages to the system (glibc's malloc_trim; a no-op with
// other C libraries, whose allocators return memory on their own or not at all).
void NoteDeferredRelease();

// Trims now (tests and benchmarks). Returns false where the C library cannot.
bool TrimNow();

}  // namespace memory
}  // namespace mmapkit

#endif
