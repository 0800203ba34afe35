import type { MmapError } from '@mmapkit/core';
import { CallQueue } from './call-queue.js';
import { callError } from './errno.js';
import { present } from './failures.js';
import { concurrentAsyncCalls, type Koffi, type NativeFunction } from './koffi.js';
import type { PlatformTable } from './platform/index.js';

/** `MAP_FAILED`, `(void *)-1`, as koffi returns pointers: a BigInt. */
const mapFailed = 0xffff_ffff_ffff_ffffn;


/**
 * The C library's memory functions, bound through koffi. Each method makes one call and
 * turns a failure into `MmapError` (`ERR_MMAP_SYSTEM`) with the `errno` read right after
 * the call, on the thread that made it. Addresses are BigInt, as koffi gives pointers.
 */
export class CLibrary {
  readonly #koffi: Koffi;
  readonly #mmap: NativeFunction;
  readonly #munmap: NativeFunction;
  readonly #msync: NativeFunction;
  readonly #mprotect: NativeFunction;
  readonly #madvise: NativeFunction;
  readonly #mincore: NativeFunction;
  readonly #mlock: NativeFunction;
  readonly #munlock: NativeFunction;
  readonly #ftruncate: NativeFunction;
  readonly #close: NativeFunction;
  readonly #sysconf: NativeFunction;
  readonly #memfdCreate: NativeFunction | undefined;
  readonly #shmOpen: ((name: string, flags: number, mode: number) => number) | undefined;
  readonly #shmUnlink: NativeFunction | undefined;
  readonly #asyncCalls = new CallQueue(concurrentAsyncCalls);

  constructor(koffi: Koffi, platform: PlatformTable) {
    this.#koffi = koffi;
    const library = koffi.load(platform.library);
    this.#mmap = library.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)');
    this.#munmap = library.func('int munmap(void *addr, size_t length)');
    this.#msync = library.func('int msync(void *addr, size_t length, int flags)');
    this.#mprotect = library.func('int mprotect(void *addr, size_t length, int prot)');
    this.#madvise = library.func('int madvise(void *addr, size_t length, int advice)');
    this.#mincore = library.func('int mincore(void *addr, size_t length, uint8_t *vec)');
    this.#mlock = library.func('int mlock(void *addr, size_t length)');
    this.#munlock = library.func('int munlock(void *addr, size_t length)');
    this.#ftruncate = library.func('int ftruncate(int fd, int64_t length)');
    this.#close = library.func('int close(int fd)');
    this.#sysconf = library.func('long sysconf(int name)');
    // Optional: an OS (or an old C library) without them offers no such shared memory.
    this.#memfdCreate = platform.MFD_CLOEXEC === undefined ? undefined : optional(() => library.func('int memfd_create(const char *name, unsigned int flags)'));
    this.#shmOpen = platform.namedSharedMemory ? optional(() => platform.bindShmOpen(library)) : undefined;
    this.#shmUnlink = platform.namedSharedMemory ? optional(() => library.func('int shm_unlink(const char *name)')) : undefined;
  }

  /** Whether `memfd_create` was found. */
  get hasMemfd(): boolean {
    return this.#memfdCreate !== undefined;
  }

  /** Whether `shm_open` and `shm_unlink` were found. */
  get hasNamedSharedMemory(): boolean {
    return this.#shmOpen !== undefined && this.#shmUnlink !== undefined;
  }

  mmap(address: bigint | null, length: number, protection: number, flags: number, fd: number, offset: number, path?: string): bigint {
    const result = this.#mmap(address, length, protection, flags, fd, offset) as bigint | null;
    if (result === mapFailed || result === null) throw this.#failure('mmap', path);
    return result;
  }

  munmap(address: bigint, length: number): void {
    if (this.#munmap(address, length) !== 0) throw this.#failure('munmap');
  }

  msync(address: bigint, length: number, flags: number, path?: string): void {
    if (this.#msync(address, length, flags) !== 0) throw this.#failure('msync', path);
  }

  /** `msync` on one of koffi's worker threads. */
  msyncAsync(address: bigint, length: number, flags: number, path?: string): Promise<void> {
    return this.#async(this.#msync, 'msync', [address, length, flags], path);
  }

  mprotect(address: bigint, length: number, protection: number): void {
    if (this.#mprotect(address, length, protection) !== 0) throw this.#failure('mprotect');
  }

  madvise(address: bigint, length: number, advice: number): void {
    if (this.#madvise(address, length, advice) !== 0) throw this.#failure('madvise');
  }

  /** `madvise` on one of koffi's worker threads. */
  madviseAsync(address: bigint, length: number, advice: number): Promise<void> {
    return this.#async(this.#madvise, 'madvise', [address, length, advice]);
  }

  /** One byte per page of the range (bit 0: resident). */
  mincore(address: bigint, length: number, pages: number): Uint8Array {
    // Over an ArrayBuffer of its own: a small typed array made by length lives on V8's heap,
    // and handing its address to C first moves it off the heap (about 1 µs).
    const vector = new Uint8Array(new ArrayBuffer(pages));
    if (this.#mincore(address, length, vector) !== 0) throw this.#failure('mincore');
    return vector;
  }

  mlock(address: bigint, length: number): void {
    if (this.#mlock(address, length) !== 0) throw this.#failure('mlock');
  }

  munlock(address: bigint, length: number): void {
    if (this.#munlock(address, length) !== 0) throw this.#failure('munlock');
  }

  ftruncate(fd: number, length: number): void {
    if (this.#ftruncate(fd, length) !== 0) throw this.#failure('ftruncate');
  }

  close(fd: number): void {
    if (this.#close(fd) !== 0) throw this.#failure('close');
  }

  sysconf(name: number): number {
    const result = Number(this.#sysconf(name));
    if (result === -1) throw this.#failure('sysconf');
    return result;
  }

  memfdCreate(name: string, flags: number): number {
    const memfdCreate = this.#present(this.#memfdCreate, 'memfd_create');
    const fd = memfdCreate(name, flags) as number;
    if (fd < 0) throw this.#failure('memfd_create');
    return fd;
  }

  shmOpen(name: string, flags: number, mode: number): number {
    const shmOpen = this.#present(this.#shmOpen, 'shm_open');
    const fd = shmOpen(name, flags, mode);
    if (fd < 0) throw this.#failure('shm_open', name);
    return fd;
  }

  shmUnlink(name: string): void {
    const shmUnlink = this.#present(this.#shmUnlink, 'shm_unlink');
    if (shmUnlink(name) !== 0) throw this.#failure('shm_unlink', name);
  }

  /** The error of the call that just failed: reads `errno` first, before anything can change it. */
  #failure(syscall: string, path?: string): MmapError {
    return callError(syscall, this.#koffi.errno(), path);
  }

  #present<T>(binding: T | undefined, name: string): T {
    return present(binding, `${name}() (the C library here lacks it)`);
  }

  #async(binding: NativeFunction, syscall: string, args: unknown[], path?: string): Promise<void> {
    return this.#asyncCalls.run(() => this.#startAsync(binding, syscall, args, path));
  }

  #startAsync(binding: NativeFunction, syscall: string, args: unknown[], path?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      binding.async(...args, (error: unknown, result: number) => {
        // koffi sets this thread's errno to the worker's for the duration of the callback.
        const errno = this.#koffi.errno();
        if (error) reject(error);
        else if (result !== 0) reject(callError(syscall, errno, path));
        else resolve();
      });
    });
  }
}

function optional<T>(bind: () => T): T | undefined {
  try {
    return bind();
  } catch {
    return undefined;
  }
}
