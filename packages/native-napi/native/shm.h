// Shared memory for related and unrelated processes: memfd_create (anonymous, handed to a
// child as a file descriptor) and POSIX shm_open/shm_unlink (named, outlives its processes).
#ifndef MMAPKIT_NATIVE_SHM_H
#define MMAPKIT_NATIVE_SHM_H

#include <napi.h>

namespace mmapkit {

// Registers createAnonymousSharedMemory(name, length) -> fd | failure,
// openNamedSharedMemory(name, oflag, mode) -> fd | failure, unlinkNamedSharedMemory(name)
// -> undefined | failure, closeDescriptor(fd) and the `sharedMemoryFlags` constants.
void InitSharedMemory(Napi::Env env, Napi::Object exports);

}  // namespace mmapkit

#endif
