// The fault guard's JavaScript face: installing the handler, reading a mapping's recorded
// faults, and switches for tests and benchmarks. The guard itself is in guard.h.
#ifndef MMAPKIT_NATIVE_FAULTS_H
#define MMAPKIT_NATIVE_FAULTS_H

#include <napi.h>

namespace mmapkit {

// Registers guardInstall(segvListener, busListener) -> boolean, faults(handle) -> undefined |
// { total, records: [{ kind, offset, time }] }, faultEpoch() -> ArrayBuffer | undefined,
// guardUninstallForTesting() and
// faultOutsideForTesting().
void InitFaults(Napi::Env env, Napi::Object exports);

}  // namespace mmapkit

#endif
