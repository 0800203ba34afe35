// Slow work on the libuv thread pool: msync of a range (syncAsync) and faulting pages in
// (prefetch). Each job holds a reference on its region, so close() while a job is pending
// only detaches the buffers: the memory is unmapped when the job has finished. A prefetch
// sees `closing` and stops early.
#ifndef MMAPKIT_NATIVE_WORKERS_H
#define MMAPKIT_NATIVE_WORKERS_H

#include <napi.h>

namespace mmapkit {

// Registers syncAsync(handle, offset, length) and prefetch(handle, offset, length); both
// return a Promise that resolves with undefined or a failure object (never rejects).
void InitWorkers(Napi::Env env, Napi::Object exports);

}  // namespace mmapkit

#endif
