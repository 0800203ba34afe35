// Per-environment state (one per main thread or worker thread): the live regions, so that a
// worker exiting with mappings still open unmaps them.
#ifndef MMAPKIT_NATIVE_REGISTRY_H
#define MMAPKIT_NATIVE_REGISTRY_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <unordered_set>

namespace mmapkit {

struct Region;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  // Runs when the environment is torn down, after every buffer and handle finalizer:
  // unmaps what is somehow still mapped and detaches the regions from this registry.
  ~Registry();

  void Add(Region* region) { regions_.insert(region); }
  void Forget(Region* region) { regions_.erase(region); }
  size_t LiveRegions() const { return regions_.size(); }
  // Incremented by the fault guard after every fault in one of this environment's regions;
  // JavaScript reads it through one external ArrayBuffer (see faults.cc).
  std::atomic<uint32_t>* FaultEpoch() { return &fault_epoch_; }

 private:
  alignas(8) std::atomic<uint32_t> fault_epoch_{0};
  std::unordered_set<Region*> regions_;
};

}  // namespace mmapkit

#endif
