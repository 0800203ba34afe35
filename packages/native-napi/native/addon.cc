// Entry point of the mmapkit native addon. Context-aware: every environment (main thread
// or worker thread) gets its own Registry as instance data, freed when that environment is
// torn down.
#include <napi.h>

#include "constants.h"
#include "faults.h"
#include "mapping.h"
#include "registry.h"
#include "shm.h"
#include "workers.h"

namespace mmapkit {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Registry>(new Registry());
  InitConstants(env, exports);
  InitMapping(env, exports);
  InitWorkers(env, exports);
  InitSharedMemory(env, exports);
  InitFaults(env, exports);
  return exports;
}

}  // namespace mmapkit

Napi::Object InitMmapkit(Napi::Env env, Napi::Object exports) { return mmapkit::Init(env, exports); }

NODE_API_MODULE(mmapkit_native, InitMmapkit)
