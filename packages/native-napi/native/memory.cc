#include "memory.h"

#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mmapkit {
namespace memory {

namespace {

// Process-wide: finalizers of every environment count here (approximately: two threads
// crossing the threshold together trim twice, which is harmless).
std::atomic<uint32_t> releases_since_trim{0};

}  // namespace

bool TrimNow() {
#if defined(__GLIBC__)
  malloc_trim(0);
  return true;
#else
  return false;
#endif
}

void NoteDeferredRelease() {
  if (releases_since_trim.fetch_add(1, std::memory_order_relaxed) + 1 < kReleasesPerTrim) return;
  releases_since_trim.store(0, std::memory_order_relaxed);
  TrimNow();
}

}  // namespace memory
}  // namespace mmapkit
