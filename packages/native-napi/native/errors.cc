#include "errors.h"

#include <string.h>
#include <uv.h>

#include <cstdio>
#include <string>

namespace mmapkit {

const char* ErrnoName(int error_number, char* scratch, size_t scratch_length) {
  // libuv's error codes are negated errno values on every POSIX system.
  const char* name = uv_err_name_r(-error_number, scratch, scratch_length);
  if (name == nullptr || name[0] != 'E') {
    std::snprintf(scratch, scratch_length, "E%d", error_number);
    return scratch;
  }
  return name;
}

Napi::Value SystemFailure(Napi::Env env, const char* syscall, int error_number) {
  char name[64];
  char message[256];
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("errno", ErrnoName(error_number, name, sizeof(name)));
  failure.Set("syscall", syscall);
  failure.Set("message", uv_strerror_r(-error_number, message, sizeof(message)));
  return failure;
}

Napi::Value ExternalBuffersRefused(Napi::Env env) {
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("code", "ERR_MMAP_EXTERNAL_BUFFERS_REFUSED");
  failure.Set("syscall", "napi_create_external_arraybuffer");
  failure.Set("message", "this runtime does not allow external ArrayBuffers (napi_no_external_buffers_allowed)");
  return failure;
}

Napi::Value NapiFailure(Napi::Env env, const char* call) {
  const napi_extended_error_info* info = nullptr;
  std::string message = "N-API call failed";
  if (napi_get_last_error_info(env, &info) == napi_ok && info != nullptr && info->error_message != nullptr) {
    message = info->error_message;
  }
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("errno", "ENOMEM");
  failure.Set("syscall", call);
  failure.Set("message", message);
  return failure;
}

}  // namespace mmapkit
