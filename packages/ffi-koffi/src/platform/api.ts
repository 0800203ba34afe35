import type { Advice, UncheckedAdvice } from '@mmapkit/core';
import type { LibraryHandle } from 'koffi';

/**
 * Everything that differs between operating systems, as data: one table per OS. A constant
 * the OS lacks is `undefined` here, once; call sites never test the OS.
 */
export interface PlatformTable {
  /** `process.platform` this table is for. */
  readonly platform: NodeJS.Platform;
  /** Whether the values were checked by running on this OS (`false`: taken from headers only). */
  readonly verified: boolean;
  /** Processor architectures whose values this table holds (`process.arch`). */
  readonly architectures: readonly string[];
  /** Where the C library is: `null` for the symbols already loaded in the process. */
  readonly library: string | null;

  readonly PROT_NONE: number;
  readonly PROT_READ: number;
  readonly PROT_WRITE: number;
  readonly PROT_EXEC: number;

  readonly MAP_SHARED: number;
  readonly MAP_PRIVATE: number;
  readonly MAP_FIXED: number;
  readonly MAP_ANONYMOUS: number;
  readonly MAP_POPULATE: number | undefined;
  readonly MAP_NORESERVE: number | undefined;
  readonly MAP_HUGETLB: number | undefined;

  readonly MS_ASYNC: number;
  readonly MS_SYNC: number;
  readonly MS_INVALIDATE: number | undefined;

  /** `madvise` value of every advice this OS offers; an absent key is an advice it lacks. */
  readonly advice: Readonly<Partial<Record<Advice | UncheckedAdvice, number>>>;
  /**
   * The advice `prefetch()` tries first, then the one it falls back to when the kernel
   * refuses the first (`EINVAL` from a kernel older than the constant).
   */
  readonly prefetchAdvice: readonly number[];
  /**
   * Advice whose support depends on the kernel's version or build (Linux 5.4+/5.14+,
   * transparent huge pages): tried once at load on a private anonymous page, and left out
   * of the capabilities when the kernel answers `EINVAL`.
   */
  readonly kernelDependentAdvice: readonly (Advice | UncheckedAdvice)[];

  /** `memfd_create` flags, or `undefined` when the OS has no `memfd_create`. */
  readonly MFD_CLOEXEC: number | undefined;
  readonly O_RDONLY: number;
  readonly O_RDWR: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_CLOEXEC: number;
  /** Whether the OS has POSIX named shared memory (`shm_open`). */
  readonly namedSharedMemory: boolean;

  readonly _SC_PAGESIZE: number;

  /**
   * Binds `shm_open`, whose prototype differs: a plain three-argument function in glibc,
   * variadic (`int shm_open(const char *, int, ...)`) in macOS's libc.
   */
  readonly bindShmOpen: (library: LibraryHandle) => (name: string, flags: number, mode: number) => number;
}
