// Failures are returned to JavaScript as plain data, never thrown: the TypeScript layer turns
// them into `MmapError`s. (Throwing from N-API aborts under --abort-on-uncaught-exception
// even inside try/catch: nodejs/node#28409.)
#ifndef MMAPKIT_NATIVE_ERRORS_H
#define MMAPKIT_NATIVE_ERRORS_H

#include <napi.h>

namespace mmapkit {

// `{ errno: 'ENOMEM', syscall: 'mmap', message: 'Cannot allocate memory' }`.
Napi::Value SystemFailure(Napi::Env env, const char* syscall, int error_number);

// `{ code: 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED', syscall, message }`: the runtime does not
// allow external ArrayBuffers (Electron's V8 memory cage, or the testing switch).
Napi::Value ExternalBuffersRefused(Napi::Env env);

// Another N-API call failed (out of memory inside V8, usually): `{ errno: 'ENOMEM', ... }`
// with N-API's own message.
Napi::Value NapiFailure(Napi::Env env, const char* call);

// The symbolic name of an errno value ("EACCES"), or "E<number>" when unknown.
const char* ErrnoName(int error_number, char* scratch, size_t scratch_length);

}  // namespace mmapkit

#endif
