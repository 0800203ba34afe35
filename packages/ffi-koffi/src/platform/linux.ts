import type { PlatformTable } from './api.js';

/**
 * Linux, from `<asm-generic/mman-common.h>`, `<asm-generic/mman.h>`, `<linux/memfd.h>`,
 * `<asm-generic/fcntl.h>` and glibc's `<bits/confname.h>`. Verified on x86-64 (kernel 6.x,
 * glibc 2.36) by this package's tests. arm64, riscv64 and loongarch64 use the same
 * asm-generic values; other architectures (mips, powerpc, sparc, alpha) differ and are not
 * listed.
 */
export const linux: PlatformTable = {
  platform: 'linux',
  verified: true,
  architectures: ['x64', 'arm64', 'riscv64', 'loong64'],
  library: null,

  PROT_NONE: 0x0,
  PROT_READ: 0x1,
  PROT_WRITE: 0x2,
  PROT_EXEC: 0x4,

  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_NORESERVE: 0x4000,
  MAP_POPULATE: 0x8000,
  MAP_HUGETLB: 0x40000,

  MS_ASYNC: 1,
  MS_INVALIDATE: 2,
  MS_SYNC: 4,

  advice: {
    normal: 0,
    random: 1,
    sequential: 2,
    willneed: 3,
    dontneed: 4,
    free: 8,
    remove: 9,
    dontfork: 10,
    dofork: 11,
    hugepage: 14,
    nohugepage: 15,
    dontdump: 16,
    dodump: 17,
    cold: 20,
    pageout: 21,
    'populate-read': 22,
    'populate-write': 23,
  },
  // MADV_POPULATE_READ (Linux 5.14+) waits until the pages are read; MADV_WILLNEED only
  // starts the read-ahead, for older kernels.
  prefetchAdvice: [22, 3],
  kernelDependentAdvice: ['hugepage', 'nohugepage', 'cold', 'pageout', 'populate-read', 'populate-write', 'free'],

  MFD_CLOEXEC: 0x1,
  O_RDONLY: 0o0,
  O_RDWR: 0o2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_CLOEXEC: 0o2000000,
  namedSharedMemory: true,

  _SC_PAGESIZE: 30,

  bindShmOpen: (library) => library.func('int shm_open(const char *name, int oflag, uint32_t mode)'),
};
