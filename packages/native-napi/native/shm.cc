#include "shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "errors.h"

namespace mmapkit {

namespace {

// Closes `fd` without disturbing the errno of the failure being reported.
void CloseQuietly(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

Napi::Value CreateAnonymousSharedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  off_t length = static_cast<off_t>(info[1].As<Napi::Number>().DoubleValue());
  // Close-on-exec: a child receives the descriptor through spawn()'s `stdio`, which dup2()s
  // it into place (dup2 clears the flag); it never leaks into unrelated programs.
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) return SystemFailure(env, "memfd_create", errno);
  if (ftruncate(fd, length) != 0) {
    int error_number = errno;
    CloseQuietly(fd);
    return SystemFailure(env, "ftruncate", error_number);
  }
  return Napi::Number::New(env, fd);
}

Napi::Value OpenNamedSharedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int flags = info[1].As<Napi::Number>().Int32Value() | O_CLOEXEC;
  mode_t mode = static_cast<mode_t>(info[2].As<Napi::Number>().Uint32Value());
  int fd = shm_open(name.c_str(), flags, mode);
  if (fd < 0) return SystemFailure(env, "shm_open", errno);
  return Napi::Number::New(env, fd);
}

Napi::Value UnlinkNamedSharedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (shm_unlink(name.c_str()) != 0) return SystemFailure(env, "shm_unlink", errno);
  return env.Undefined();
}

}  // namespace

void InitSharedMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("createAnonymousSharedMemory", Napi::Function::New(env, CreateAnonymousSharedMemory, "createAnonymousSharedMemory"));
  exports.Set("openNamedSharedMemory", Napi::Function::New(env, OpenNamedSharedMemory, "openNamedSharedMemory"));
  exports.Set("unlinkNamedSharedMemory", Napi::Function::New(env, UnlinkNamedSharedMemory, "unlinkNamedSharedMemory"));
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("readOnly", O_RDONLY);
  flags.Set("readWrite", O_RDWR);
  flags.Set("create", O_CREAT);
  flags.Set("exclusive", O_EXCL);
  exports.Set("sharedMemoryFlags", flags);
}

}  // namespace mmapkit
