import type { PlatformTable } from './api.js';

/**
 * macOS, from the SDK's `<sys/mman.h>`, `<sys/fcntl.h>` and `<unistd.h>` (xnu).
 *
 * UNVERIFIED: these values were copied from the headers and have not been run on macOS
 * yet. `verified` stays `false` until this package's tests pass there.
 *
 * Declared absent: `MAP_POPULATE`, `MAP_HUGETLB` (no such flags), `MAP_NORESERVE` (defined
 * but ignored by xnu, so offering it would be a silent no-op), `memfd_create`, and the
 * Linux-only advice. `MADV_DONTNEED` is absent too: on macOS it is only a hint and does
 * not drop private pages as `'dontneed'` promises.
 */
export const darwin: PlatformTable = {
  platform: 'darwin',
  verified: false,
  architectures: ['x64', 'arm64'],
  library: '/usr/lib/libSystem.B.dylib',

  PROT_NONE: 0x0,
  PROT_READ: 0x1,
  PROT_WRITE: 0x2,
  PROT_EXEC: 0x4,

  MAP_SHARED: 0x0001,
  MAP_PRIVATE: 0x0002,
  MAP_FIXED: 0x0010,
  MAP_ANONYMOUS: 0x1000,
  MAP_NORESERVE: undefined,
  MAP_POPULATE: undefined,
  MAP_HUGETLB: undefined,

  MS_ASYNC: 0x0001,
  MS_INVALIDATE: 0x0002,
  MS_SYNC: 0x0010,

  advice: {
    normal: 0,
    random: 1,
    sequential: 2,
    willneed: 3,
    free: 5,
  },
  prefetchAdvice: [3],
  kernelDependentAdvice: [],

  MFD_CLOEXEC: undefined,
  O_RDONLY: 0x0000,
  O_RDWR: 0x0002,
  O_CREAT: 0x0200,
  O_EXCL: 0x0800,
  O_CLOEXEC: 0x01000000,
  namedSharedMemory: true,

  _SC_PAGESIZE: 29,

  // Variadic in macOS's libc; on arm64 variadic arguments go on the stack, so the
  // prototype must say so. mode_t is 16 bits there, promoted to int when passed.
  bindShmOpen: (library) => {
    const shmOpen = library.func('int shm_open(const char *name, int oflag, ...)');
    return (name, flags, mode) => shmOpen(name, flags, 'int', mode) as number;
  },
};
