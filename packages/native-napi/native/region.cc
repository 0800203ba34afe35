#include "region.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

#include "guard.h"
#include "registry.h"

namespace mmapkit {

int Region::UnmapNow() {
  if (unmapped) return 0;
  unmapped = true;
  // Forgotten by the guard first: once unmapped, the addresses may be reused by anyone.
  guard::Unregister(guard_slot);
  guard_slot = -1;
  if (munmap(address, mapped_length) != 0) return errno;
  return 0;
}

int Region::Unref(Region* region) {
  if (--region->references > 0) return 0;
  int error_number = region->UnmapNow();
  if (region->registry != nullptr) region->registry->Forget(region);
  delete region;
  return error_number;
}

void ReleaseWindowRecord(WindowRecord* record) {
  Region* region = record->region;
  if (region != nullptr) {
    auto& windows = region->windows;
    windows.erase(std::remove(windows.begin(), windows.end(), record), windows.end());
    Region::Unref(region);
  }
  delete record;
}

}  // namespace mmapkit
