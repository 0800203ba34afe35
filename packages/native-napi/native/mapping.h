// The synchronous calls on a mapping: mmap, windows (external ArrayBuffers), munmap, msync,
// madvise, mprotect, mincore, mlock/munlock. Every argument has been checked by the
// TypeScript layer; these functions only call the system and report its result.
#ifndef MMAPKIT_NATIVE_MAPPING_H
#define MMAPKIT_NATIVE_MAPPING_H

#include <napi.h>

#include "region.h"

namespace mmapkit {

// What JavaScript holds: an External tagged with kHandleTag, owning one region reference
// until close()/release() or its own finalizer drops it.
struct Handle {
  Region* region;
  bool dropped;
};

// The handle passed as argument `index`, or nullptr (with a TypeError pending) when the
// value is not one of ours.
Handle* HandleArgument(const Napi::CallbackInfo& info, size_t index);

// Open handles only: also nullptr (with a TypeError) after close().
Region* OpenRegionArgument(const Napi::CallbackInfo& info, size_t index);

// Registers the functions of this file on `exports`.
void InitMapping(Napi::Env env, Napi::Object exports);

}  // namespace mmapkit

#endif
