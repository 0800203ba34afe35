#include "registry.h"

#include "region.h"

namespace mmapkit {

Registry::~Registry() {
  for (Region* region : regions_) {
    region->registry = nullptr;
    // Node waits for thread-pool jobs before tearing an environment down, so a region with a
    // job still counted here is one whose job never completed: leave its memory mapped
    // rather than pull it from under a thread.
    if (region->pending_jobs == 0) region->UnmapNow();
  }
  regions_.clear();
}

}  // namespace mmapkit
