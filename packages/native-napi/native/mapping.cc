#include "mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "errors.h"
#include "guard.h"
#include "memory.h"
#include "registry.h"

namespace mmapkit {

namespace {

// Random 128 bits identifying handles made by this addon (any version of it).
const napi_type_tag kHandleTag = {0x6d6d61706b697421ULL, 0x9b3f4c1e27d05a83ULL};

// Process-wide, so worker threads see it too: makes window creation report
// napi_no_external_buffers_allowed, as Electron's memory cage does.
std::atomic<bool> external_buffers_refused_for_testing{false};

size_t SizeArgument(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<size_t>(info[index].As<Napi::Number>().DoubleValue());
}

void FinalizeWindow(napi_env env, void* data, void* hint) {
  ReleaseWindowRecord(static_cast<WindowRecord*>(hint));
  memory::NoteDeferredRelease();
}

void FinalizeHandle(Napi::Env env, Handle* handle) {
  if (!handle->dropped) {
    handle->dropped = true;
    Region::Unref(handle->region);
  }
  delete handle;
  memory::NoteDeferredRelease();
}

// map(fd, offset, length, mappedLength, protection, flags, guarded) -> handle | failure
Napi::Value Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  off_t offset = static_cast<off_t>(info[1].As<Napi::Number>().DoubleValue());
  size_t length = SizeArgument(info, 2);
  size_t mapped_length = SizeArgument(info, 3);
  int protection = info[4].As<Napi::Number>().Int32Value();
  int flags = info[5].As<Napi::Number>().Int32Value();
  bool guarded = info[6].ToBoolean().Value();

  void* address = mmap(nullptr, mapped_length, protection, flags, fd, offset);
  if (address == MAP_FAILED) return SystemFailure(env, "mmap", errno);

  Region* region = new Region();
  region->address = static_cast<uint8_t*>(address);
  region->length = length;
  region->mapped_length = mapped_length;
  region->all_readable = (protection & PROT_READ) != 0;
  Registry* registry = env.GetInstanceData<Registry>();
  region->registry = registry;
  registry->Add(region);
  if (guarded) {
    // The guard reads the file's size after a SIGBUS and remaps pages from it: it keeps its
    // own descriptor (close-on-exec). Without one (EMFILE) it still repairs, page by page.
    int guard_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
    region->guard_slot = guard::Register(region->address, mapped_length, fd >= 0, guard_fd, static_cast<int64_t>(offset),
                                         (flags & MAP_SHARED) != 0, protection, registry->FaultEpoch());
  }

  Handle* handle = new Handle{region, false};
  Napi::External<Handle> external = Napi::External<Handle>::New(env, handle, FinalizeHandle);
  if (env.IsExceptionPending() || napi_type_tag_object(env, external, &kHandleTag) != napi_ok) {
    // The External never came to be (or cannot be tagged): nothing else refers to the region.
    if (external.IsEmpty()) FinalizeHandle(env, handle);
    return NapiFailure(env, "napi_create_external");
  }
  return external;
}

// createWindow(handle, start, length) -> ArrayBuffer | failure
Napi::Value CreateWindow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  size_t start = SizeArgument(info, 1);
  size_t length = SizeArgument(info, 2);
  if (external_buffers_refused_for_testing.load()) return ExternalBuffersRefused(env);

  WindowRecord* record = new WindowRecord{region, region->address + start};
  napi_value buffer = nullptr;
  napi_status status = napi_create_external_arraybuffer(env, record->start, length, FinalizeWindow, record, &buffer);
  if (status == napi_no_external_buffers_allowed) {
    delete record;
    return ExternalBuffersRefused(env);
  }
  if (status != napi_ok) {
    delete record;
    return NapiFailure(env, "napi_create_external_arraybuffer");
  }
  region->Ref();
  region->windows.push_back(record);
  return Napi::Value(env, buffer);
}

// unmap(handle, buffers) -> undefined | failure. Detaches every buffer of `buffers` that is
// still attached (its reference is dropped at once); a buffer already detached by someone
// else (moved with transfer()) keeps its reference until its finalizer runs.
Napi::Value Unmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* handle = HandleArgument(info, 0);
  if (handle == nullptr || handle->dropped) return env.Undefined();
  Region* region = handle->region;
  region->closing.store(true);
  Napi::Array buffers = info[1].As<Napi::Array>();
  uint32_t count = buffers.Length();
  for (uint32_t index = 0; index < count; index++) {
    Napi::Value value = buffers.Get(index);
    if (!value.IsArrayBuffer()) continue;
    bool detached = false;
    if (napi_is_detached_arraybuffer(env, value, &detached) != napi_ok || detached) continue;
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, value, &data, nullptr) != napi_ok) continue;
    for (auto iterator = region->windows.begin(); iterator != region->windows.end(); ++iterator) {
      WindowRecord* record = *iterator;
      if (record->start != data) continue;
      if (napi_detach_arraybuffer(env, value) == napi_ok) {
        record->region = nullptr;
        region->windows.erase(iterator);
        Region::Unref(region);  // never the last reference: the handle still holds one
      }
      break;
    }
  }
  handle->dropped = true;
  int error_number = Region::Unref(region);
  if (error_number != 0) return SystemFailure(env, "munmap", error_number);
  return env.Undefined();
}

// release(handle): the Mapping was garbage-collected; the region goes when its last window
// buffer is collected too.
Napi::Value Release(const Napi::CallbackInfo& info) {
  Handle* handle = HandleArgument(info, 0);
  if (handle != nullptr && !handle->dropped) {
    handle->dropped = true;
    handle->region->closing.store(true);
    Region::Unref(handle->region);
  }
  return info.Env().Undefined();
}

// sync(handle, offset, length, flags) -> undefined | failure
Napi::Value Sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  if (msync(region->address + SizeArgument(info, 1), SizeArgument(info, 2), info[3].As<Napi::Number>().Int32Value()) != 0) {
    return SystemFailure(env, "msync", errno);
  }
  return env.Undefined();
}

// advise(handle, offset, length, advice) -> undefined | failure
Napi::Value Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  if (madvise(region->address + SizeArgument(info, 1), SizeArgument(info, 2), info[3].As<Napi::Number>().Int32Value()) != 0) {
    return SystemFailure(env, "madvise", errno);
  }
  return env.Undefined();
}

// protect(handle, offset, length, protection) -> undefined | failure
Napi::Value Protect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  int protection = info[3].As<Napi::Number>().Int32Value();
  // Before the call: from now on a prefetch may meet an unreadable page.
  if ((protection & PROT_READ) == 0) region->all_readable = false;
  size_t offset = SizeArgument(info, 1);
  size_t length = SizeArgument(info, 2);
  if (mprotect(region->address + offset, length, protection) != 0) return SystemFailure(env, "mprotect", errno);
  guard::SetProtection(region->guard_slot, offset, length, protection);
  return env.Undefined();
}

// residency(handle, offset, length) -> Uint8Array (one byte per page, 1 = resident) | failure
Napi::Value Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  size_t length = SizeArgument(info, 2);
  size_t page_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t pages = (length + page_size - 1) / page_size;
  Napi::Uint8Array map = Napi::Uint8Array::New(env, pages);
  if (env.IsExceptionPending()) return NapiFailure(env, "napi_create_typedarray");
  unsigned char* bytes = map.Data();
  if (mincore(region->address + SizeArgument(info, 1), length, bytes) != 0) return SystemFailure(env, "mincore", errno);
  for (size_t page = 0; page < pages; page++) bytes[page] &= 1;
  return map;
}

// lock(handle, offset, length) / unlock(...) -> undefined | failure
Napi::Value Lock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  if (mlock(region->address + SizeArgument(info, 1), SizeArgument(info, 2)) != 0) return SystemFailure(env, "mlock", errno);
  return env.Undefined();
}

Napi::Value Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  if (munlock(region->address + SizeArgument(info, 1), SizeArgument(info, 2)) != 0) return SystemFailure(env, "munlock", errno);
  return env.Undefined();
}

// setExternalBuffersRefusedForTesting(refused)
Napi::Value SetExternalBuffersRefusedForTesting(const Napi::CallbackInfo& info) {
  external_buffers_refused_for_testing.store(info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

// liveRegions() -> regions of this environment not yet unmapped and freed (for tests).
Napi::Value LiveRegions(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(info.Env().GetInstanceData<Registry>()->LiveRegions()));
}

}  // namespace

Handle* HandleArgument(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  bool tagged = false;
  if (info.Length() <= index || !info[index].IsExternal() ||
      napi_check_object_type_tag(env, info[index], &kHandleTag, &tagged) != napi_ok || !tagged) {
    Napi::TypeError::New(env, "mmapkit native: expected a mapping handle").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[index].As<Napi::External<Handle>>().Data();
}

Region* OpenRegionArgument(const Napi::CallbackInfo& info, size_t index) {
  Handle* handle = HandleArgument(info, index);
  if (handle == nullptr) return nullptr;
  if (handle->dropped) {
    Napi::TypeError::New(info.Env(), "mmapkit native: the mapping handle was closed").ThrowAsJavaScriptException();
    return nullptr;
  }
  return handle->region;
}

void InitMapping(Napi::Env env, Napi::Object exports) {
  exports.Set("map", Napi::Function::New(env, Map, "map"));
  exports.Set("createWindow", Napi::Function::New(env, CreateWindow, "createWindow"));
  exports.Set("unmap", Napi::Function::New(env, Unmap, "unmap"));
  exports.Set("release", Napi::Function::New(env, Release, "release"));
  exports.Set("sync", Napi::Function::New(env, Sync, "sync"));
  exports.Set("advise", Napi::Function::New(env, Advise, "advise"));
  exports.Set("protect", Napi::Function::New(env, Protect, "protect"));
  exports.Set("residency", Napi::Function::New(env, Residency, "residency"));
  exports.Set("lock", Napi::Function::New(env, Lock, "lock"));
  exports.Set("unlock", Napi::Function::New(env, Unlock, "unlock"));
  exports.Set("setExternalBuffersRefusedForTesting",
              Napi::Function::New(env, SetExternalBuffersRefusedForTesting, "setExternalBuffersRefusedForTesting"));
  exports.Set("liveRegions", Napi::Function::New(env, LiveRegions, "liveRegions"));
}

}  // namespace mmapkit
