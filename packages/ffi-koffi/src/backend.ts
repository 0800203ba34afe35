import { unavailable, type Backend, type BackendMapping, type MapRequest, type NamedSharedMemoryFlags } from '@mmapkit/core';
import { describeCapabilities } from './capabilities.js';
import type { BackendContext } from './context.js';
import { present, refusedBy } from './failures.js';
import { loadKoffi, type Koffi } from './koffi.js';
import { CLibrary } from './libc.js';
import { KoffiMapping } from './mapping.js';
import { currentPlatform, type PlatformTable } from './platform/index.js';
import { platformProtectionBits } from './protection.js';
import { inspectRuntime } from './runtime.js';
import { createWindowsBackend, type WindowsBackend } from './win32-backend.js';

/** The backend, and on Windows its kernel32 half (for `WindowsSharedMemory`). */
export interface CreatedBackend {
  readonly backend: Backend;
  readonly windows: WindowsBackend | undefined;
}

/**
 * Builds the backend: loads koffi, binds the C library (kernel32 on Windows), and finds out
 * once what this process and kernel can do. The one place that chooses between the POSIX
 * and the Windows model; below it, each has its own modules.
 *
 * # Errors
 * `ERR_MMAP_BACKEND_UNAVAILABLE` when koffi cannot load or the OS has no constant table.
 */
export function createBackend(): CreatedBackend {
  const windows = process.platform === 'win32';
  const platform = windows ? undefined : currentPlatform();
  const koffi = loadKoffi();
  if (koffi.sizeof('void *') !== 8) {
    throw unavailable('ffi-koffi', 'it needs a 64-bit process (off_t and pointers of 64 bits).');
  }
  if (platform === undefined) {
    let created: WindowsBackend;
    try {
      created = createWindowsBackend(koffi);
    } catch (error) {
      throw unavailable('ffi-koffi', `kernel32 cannot be bound: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    return { backend: created.backend, windows: created };
  }
  return { backend: createPosixBackend(koffi, platform), windows: undefined };
}

function createPosixBackend(koffi: Koffi, platform: PlatformTable): Backend {
  let libc: CLibrary;
  try {
    libc = new CLibrary(koffi, platform);
  } catch (error) {
    throw unavailable('ffi-koffi', `the C library cannot be bound: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const facts = inspectRuntime(koffi, libc, platform);
  const context: BackendContext = {
    koffi,
    libc,
    platform,
    pageSize: facts.pageSize,
    largestView: facts.largestView,
    canDetach: facts.canDetach,
  };


  return Object.freeze({
    name: 'ffi-koffi',
    moduleSpecifier: '@mmapkit/ffi-koffi',
    capabilities: describeCapabilities(platform, libc, facts),
    pageSize: facts.pageSize,
    allocationGranularity: facts.pageSize,

    map(request: MapRequest): BackendMapping {
      let flags = request.sharing === 'shared' ? platform.MAP_SHARED : platform.MAP_PRIVATE;
      if (request.fd === undefined) flags |= platform.MAP_ANONYMOUS;
      if (request.populate) flags |= present(platform.MAP_POPULATE, 'MAP_POPULATE');
      if (request.noReserve) flags |= present(platform.MAP_NORESERVE, 'MAP_NORESERVE');
      if (request.hugePages) flags |= present(platform.MAP_HUGETLB, 'MAP_HUGETLB');
      const protection = platformProtectionBits(platform, request.protection);
      const address = libc.mmap(null, request.length, protection, flags, request.fd ?? -1, request.offset, request.path);
      return new KoffiMapping(context, address, request.length, request.path);
    },

    createAnonymousSharedMemory(name: string, length: number): number {
      const fd = libc.memfdCreate(name, present(platform.MFD_CLOEXEC, 'memfd_create'));
      try {
        libc.ftruncate(fd, length);
      } catch (error) {
        libc.close(fd);
        throw error;
      }
      return fd;
    },

    openNamedSharedMemory(name: string, flags: NamedSharedMemoryFlags, mode: number): number {
      const openFlags =
        (flags.readWrite ? platform.O_RDWR : platform.O_RDONLY) |
        (flags.create ? platform.O_CREAT : 0) |
        (flags.exclusive ? platform.O_EXCL : 0) |
        platform.O_CLOEXEC;
      return libc.shmOpen(name, openFlags, mode);
    },

    unlinkNamedSharedMemory(name: string): void {
      libc.shmUnlink(name);
    },

    probe(): void {
      if (!facts.externalBuffers) {
        throw refusedBy(facts.externalBuffersError);
      }
      const address = libc.mmap(null, facts.pageSize, platform.PROT_READ | platform.PROT_WRITE, platform.MAP_PRIVATE | platform.MAP_ANONYMOUS, -1, 0);
      libc.munmap(address, facts.pageSize);
    },
  } satisfies Backend);
}
