#include "registry.h"

#include "guard.h"
#include "region.h"

namespace mmapkit {

Registry::~Registry() {
  for (Region* region : regions_) {
    region->registry = nullptr;
    // Node waits for thread-pool jobs before tearing an environment down, so a region with a
    // job still counted here is one whose job never completed: leave its memory mapped
    // rather than pull it from under a thread.
    if (region->pending_jobs == 0) {
      region->UnmapNow();
    } else {
      // Its slot points at this registry's fault epoch, which goes now: stop guarding it.
      guard::Unregister(region->guard_slot);
      region->guard_slot = -1;
    }
  }
  regions_.clear();
}

}  // namespace mmapkit
