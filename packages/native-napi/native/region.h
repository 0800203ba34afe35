// A mapped region and who still needs it. The region is unmapped when its last reference
// goes: the JavaScript handle holds one, every external ArrayBuffer window holds one until
// `close()` detaches it (or its finalizer runs), and every pending thread-pool job holds
// one. So memory is never unmapped while a buffer can still reach it (a buffer moved away
// with ArrayBuffer.prototype.transfer keeps its reference) nor while a worker thread uses it.
//
// Every field except `closing` is only touched on the thread of the Node environment that
// created the region.
#ifndef MMAPKIT_NATIVE_REGION_H
#define MMAPKIT_NATIVE_REGION_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmapkit {

class Registry;
struct Region;

// What an external ArrayBuffer's finalizer receives: the window's start and, while the
// buffer still holds a reference, its region.
struct WindowRecord {
  Region* region;
  uint8_t* start;
};

struct Region {
  uint8_t* address = nullptr;
  // Bytes the user asked for (windows never reach past them).
  size_t length = 0;
  // Bytes to pass to munmap (rounded up to the huge page size for MAP_HUGETLB).
  size_t mapped_length = 0;
  int references = 1;
  int pending_jobs = 0;
  // Set by close(): long thread-pool jobs (prefetch) stop early.
  std::atomic<bool> closing{false};
  // False once some page may be unreadable (PROT_NONE): prefetch must not touch pages then.
  std::atomic<bool> all_readable{true};
  bool unmapped = false;
  // The fault guard's slot for this region (guard.h), or -1 when unguarded.
  int guard_slot = -1;
  // The environment's registry, or nullptr after the environment was torn down.
  Registry* registry = nullptr;
  // Windows whose buffers still hold a reference.
  std::vector<WindowRecord*> windows;

  void Ref() { references++; }

  // Drops one reference; at zero unmaps and frees the region. Returns 0, or the errno of a
  // failed munmap.
  static int Unref(Region* region);

  // munmap now (once). Returns 0 or errno.
  int UnmapNow();
};

// The finalizer of a window's external ArrayBuffer (see mapping.cc): drops the window's
// reference if close() has not already done so, and frees the record.
void ReleaseWindowRecord(WindowRecord* record);

}  // namespace mmapkit

#endif
