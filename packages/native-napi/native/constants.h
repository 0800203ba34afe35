// The platform's numbers for PROT_*, MAP_*, MS_*, MADV_*, declared once. Linux values that
// older C library headers lack are defined here, never #ifdef'ed at call sites; a kernel
// that does not know one answers EINVAL, which reaches JavaScript as ERR_MMAP_SYSTEM.
#ifndef MMAPKIT_NATIVE_CONSTANTS_H
#define MMAPKIT_NATIVE_CONSTANTS_H

#include <napi.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_FREE
#define MADV_FREE 8  // Linux 4.5
#endif
#ifndef MADV_COLD
#define MADV_COLD 20  // Linux 5.4
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21  // Linux 5.4
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace mmapkit {

// Exports `constants`: { protection, map, sync, advice }, each an object of name -> number.
void InitConstants(Napi::Env env, Napi::Object exports);

}  // namespace mmapkit

#endif
