#include "faults.h"

#include "guard.h"
#include "mapping.h"
#include "registry.h"

namespace mmapkit {

namespace {

const char* KindName(uint32_t kind) {
  switch (kind) {
    case guard::kTruncated:
      return "truncated";
    case guard::kReadOnlyWrite:
      return "read-only-write";
    case guard::kAccessRevoked:
      return "access-revoked";
    default:
      return "io-error";
  }
}

// guardInstall(segvListener, busListener) -> true when the handler is in place for both
// signals. The flags say whether JavaScript has process.on() listeners for each signal.
Napi::Value GuardInstall(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), guard::Install(info[0].ToBoolean().Value(), info[1].ToBoolean().Value()));
}

// faults(handle) -> undefined when none, else { total, records }. Offsets are bytes from
// the region's start; times are milliseconds since the epoch.
Napi::Value Faults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* handle = HandleArgument(info, 0);
  if (handle == nullptr || handle->dropped) return env.Undefined();
  int slot = handle->region->guard_slot;
  uint32_t total = guard::FaultCount(slot);
  if (total == 0) return env.Undefined();
  guard::FaultRecord records[guard::kRecordedFaults];
  size_t count = guard::CopyFaults(slot, records);
  Napi::Array list = Napi::Array::New(env, count);
  for (size_t index = 0; index < count; index++) {
    Napi::Object record = Napi::Object::New(env);
    record.Set("kind", KindName(records[index].kind));
    record.Set("offset", static_cast<double>(records[index].offset));
    record.Set("time", static_cast<double>(records[index].time_nanoseconds) / 1e6);
    list.Set(static_cast<uint32_t>(index), record);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("total", static_cast<double>(total));
  result.Set("records", list);
  return result;
}

// faultEpoch() -> a 4-byte ArrayBuffer over this environment's fault epoch (a Uint32 that
// grows after every fault in its regions). Called once per environment: one buffer per
// address, as V8 requires. The memory belongs to the Registry; the buffer frees nothing.
Napi::Value FaultEpoch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* cell = env.GetInstanceData<Registry>()->FaultEpoch();
  napi_value buffer = nullptr;
  napi_status status = napi_create_external_arraybuffer(env, cell, sizeof(uint32_t), nullptr, nullptr, &buffer);
  if (status != napi_ok) return env.Undefined();  // refused (a memory cage): JavaScript asks the addon each time
  return Napi::Value(env, buffer);
}

Napi::Value GuardUninstallForTesting(const Napi::CallbackInfo& info) {
  guard::UninstallForTesting();
  return info.Env().Undefined();
}

Napi::Value FaultOutsideForTesting(const Napi::CallbackInfo& info) {
  guard::FaultOutsideForTesting();
  return info.Env().Undefined();
}

}  // namespace

void InitFaults(Napi::Env env, Napi::Object exports) {
  exports.Set("guardInstall", Napi::Function::New(env, GuardInstall, "guardInstall"));
  exports.Set("faults", Napi::Function::New(env, Faults, "faults"));
  exports.Set("faultEpoch", Napi::Function::New(env, FaultEpoch, "faultEpoch"));
  exports.Set("guardUninstallForTesting", Napi::Function::New(env, GuardUninstallForTesting, "guardUninstallForTesting"));
  exports.Set("faultOutsideForTesting", Napi::Function::New(env, FaultOutsideForTesting, "faultOutsideForTesting"));
}

}  // namespace mmapkit
