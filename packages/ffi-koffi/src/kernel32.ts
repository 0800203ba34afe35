import { systemError, type MmapError } from '@mmapkit/core';
import { CallQueue } from './call-queue.js';
import { windowsCallError } from './errno.js';
import { present } from './failures.js';
import { concurrentAsyncCalls, type Koffi, type NativeFunction } from './koffi.js';
import { win32 } from './platform/win32.js';


/** A Windows `HANDLE` or address as koffi gives pointers: a BigInt (`null` for NULL). */
export type Pointer = bigint;

/** What `VirtualQuery` says about the region containing an address. */
export interface MemoryRegion {
  readonly baseAddress: bigint;
  readonly allocationBase: bigint;
  readonly regionSize: number;
  /** `MEM_COMMIT`, `MEM_RESERVE` or `MEM_FREE`. */
  readonly state: number;
  /** `PAGE_*` protection of the region. */
  readonly protect: number;
  /** `MEM_IMAGE`, `MEM_MAPPED` or `MEM_PRIVATE`. */
  readonly type: number;
}

/**
 * kernel32's memory functions (and libuv's `uv_get_osfhandle`, exported by node.exe), bound
 * through koffi. Each method makes one call and turns a failure into `MmapError`
 * (`ERR_MMAP_SYSTEM`) with `GetLastError()` read right after the call: koffi keeps the
 * value of the last foreign call from Node's and V8's own calls, on the main thread and in
 * `.async()` callbacks.
 */
export class Kernel32 {
  readonly #getLastError: NativeFunction;
  readonly #getSystemInfo: NativeFunction;
  readonly #getCurrentProcess: NativeFunction;
  readonly #osHandle: NativeFunction;
  readonly #duplicateHandle: NativeFunction;
  readonly #openProcess: NativeFunction;
  readonly #closeHandle: NativeFunction;
  readonly #createFileMapping: NativeFunction;
  readonly #openFileMapping: NativeFunction;
  readonly #querySection: NativeFunction;
  readonly #mapViewOfFile: NativeFunction;
  readonly #unmapViewOfFile: NativeFunction;
  readonly #flushViewOfFile: NativeFunction;
  readonly #flushFileBuffers: NativeFunction;
  readonly #virtualProtect: NativeFunction;
  readonly #virtualQuery: NativeFunction;
  readonly #virtualAlloc: NativeFunction;
  readonly #virtualFree: NativeFunction;
  readonly #virtualLock: NativeFunction;
  readonly #virtualUnlock: NativeFunction;
  readonly #prefetchVirtualMemory: NativeFunction | undefined;
  readonly #asyncCalls = new CallQueue(concurrentAsyncCalls);

  constructor(koffi: Koffi) {
    const kernel32 = koffi.load('kernel32.dll');
    // Anonymous struct types: a named one would clash when two copies of this package (its
    // ESM and CJS builds) load in one process with one koffi.
    const systemInfo = koffi.struct({
      wProcessorArchitecture: 'uint16_t',
      wReserved: 'uint16_t',
      dwPageSize: 'uint32_t',
      lpMinimumApplicationAddress: 'void *',
      lpMaximumApplicationAddress: 'void *',
      dwActiveProcessorMask: 'uintptr_t',
      dwNumberOfProcessors: 'uint32_t',
      dwProcessorType: 'uint32_t',
      dwAllocationGranularity: 'uint32_t',
      wProcessorLevel: 'uint16_t',
      wProcessorRevision: 'uint16_t',
    });
    const memoryBasicInformation = koffi.struct({
      BaseAddress: 'void *',
      AllocationBase: 'void *',
      AllocationProtect: 'uint32_t',
      PartitionId: 'uint16_t',
      RegionSize: 'size_t',
      State: 'uint32_t',
      Protect: 'uint32_t',
      Type: 'uint32_t',
    });
    const memoryRangeEntry = koffi.struct({ VirtualAddress: 'void *', NumberOfBytes: 'size_t' });
    const sectionBasicInformation = koffi.struct({ BaseAddress: 'void *', Attributes: 'uint32_t', Size: 'int64_t' });

    this.#getLastError = kernel32.func('uint32_t GetLastError()');
    this.#getSystemInfo = kernel32.func('GetSystemInfo', 'void', [koffi.out(koffi.pointer(systemInfo))]);
    this.#getCurrentProcess = kernel32.func('void *GetCurrentProcess()');
    this.#duplicateHandle = kernel32.func(
      'int DuplicateHandle(void *sourceProcess, void *source, void *targetProcess, _Out_ void **target, uint32_t access, int inherit, uint32_t options)',
    );
    this.#openProcess = kernel32.func('void *OpenProcess(uint32_t access, int inherit, uint32_t processId)');
    this.#closeHandle = kernel32.func('int CloseHandle(void *handle)');
    this.#createFileMapping = kernel32.func(
      'void *CreateFileMappingW(void *file, void *attributes, uint32_t protect, uint32_t sizeHigh, uint32_t sizeLow, const char16_t *name)',
    );
    this.#openFileMapping = kernel32.func('void *OpenFileMappingW(uint32_t access, int inherit, const char16_t *name)');
    this.#querySection = koffi
      .load('ntdll.dll')
      .func('NtQuerySection', 'int32_t', ['void *', 'int', koffi.out(koffi.pointer(sectionBasicInformation)), 'size_t', 'void *']);
    this.#mapViewOfFile = kernel32.func('void *MapViewOfFile(void *section, uint32_t access, uint32_t offsetHigh, uint32_t offsetLow, size_t length)');
    this.#unmapViewOfFile = kernel32.func('int UnmapViewOfFile(void *address)');
    this.#flushViewOfFile = kernel32.func('int FlushViewOfFile(void *address, size_t length)');
    this.#flushFileBuffers = kernel32.func('int FlushFileBuffers(void *file)');
    this.#virtualProtect = kernel32.func('int VirtualProtect(void *address, size_t length, uint32_t protect, _Out_ uint32_t *previous)');
    this.#virtualQuery = kernel32.func('VirtualQuery', 'size_t', ['void *', koffi.out(koffi.pointer(memoryBasicInformation)), 'size_t']);
    this.#virtualAlloc = kernel32.func('void *VirtualAlloc(void *address, size_t length, uint32_t type, uint32_t protect)');
    this.#virtualFree = kernel32.func('int VirtualFree(void *address, size_t length, uint32_t type)');
    this.#virtualLock = kernel32.func('int VirtualLock(void *address, size_t length)');
    this.#virtualUnlock = kernel32.func('int VirtualUnlock(void *address, size_t length)');
    // Windows 8+; absent from some Windows Server builds and emulators.
    this.#prefetchVirtualMemory = optional(() =>
      kernel32.func('PrefetchVirtualMemory', 'int', ['void *', 'size_t', koffi.pointer(memoryRangeEntry), 'uint32_t']),
    );
    // node.exe exports libuv for addons: its own CRT's descriptors map to HANDLEs here.
    this.#osHandle = koffi.load(process.execPath).func('void *uv_get_osfhandle(int fd)');
  }

  /** Whether `PrefetchVirtualMemory` was found. */
  get hasPrefetch(): boolean {
    return this.#prefetchVirtualMemory !== undefined;
  }

  systemInfo(): { pageSize: number; allocationGranularity: number } {
    const info: { dwPageSize?: number; dwAllocationGranularity?: number } = {};
    this.#getSystemInfo(info);
    return { pageSize: info.dwPageSize ?? 0, allocationGranularity: info.dwAllocationGranularity ?? 0 };
  }

  /**
   * The `HANDLE` behind a Node file descriptor, duplicated: the caller owns the copy and
   * closes it with `closeHandle()`; the descriptor stays as it was.
   */
  duplicateDescriptorHandle(fd: number, path?: string): Pointer {
    const handle = this.#osHandle(fd) as Pointer | null;
    if (handle === null || handle === win32.INVALID_HANDLE_VALUE) {
      throw systemError('uv_get_osfhandle', 'EBADF', `descriptor ${fd} is not open`, path);
    }
    const self = this.#getCurrentProcess() as Pointer;
    return this.#duplicate(self, handle, self, path);
  }

  /** Duplicates one of this process's handles into the process `processId`; returns its value there. */
  duplicateHandleInto(processId: number, handle: Pointer): Pointer {
    const target = this.#openProcess(win32.PROCESS_DUP_HANDLE, 0, processId) as Pointer | null;
    if (target === null) throw this.#failure('OpenProcess');
    try {
      return this.#duplicate(this.#getCurrentProcess() as Pointer, handle, target);
    } finally {
      this.#closeHandle(target);
    }
  }

  closeHandle(handle: Pointer): void {
    if (this.#closeHandle(handle) === 0) throw this.#failure('CloseHandle');
  }

  /**
   * `CreateFileMappingW`. `alreadyExisted` is true when a named section of that name was
   * opened instead of created (`ERROR_ALREADY_EXISTS` after success).
   */
  createFileMapping(file: Pointer, protect: number, size: number, name: string | null, path?: string): { section: Pointer; alreadyExisted: boolean } {
    const section = this.#createFileMapping(file, null, protect, Math.floor(size / 2 ** 32), size % 2 ** 32, name) as Pointer | null;
    const code = this.#getLastError() as number;
    if (section === null) throw windowsCallError('CreateFileMappingW', code, path ?? name ?? undefined);
    return { section, alreadyExisted: code === 183 };
  }

  openFileMapping(access: number, name: string): Pointer {
    const section = this.#openFileMapping(access, 0, name) as Pointer | null;
    if (section === null) throw this.#failure('OpenFileMappingW', name);
    return section;
  }

  /** The size in bytes of a section (`NtQuerySection`); needs `SECTION_QUERY` access. */
  sectionSize(section: Pointer): number {
    const information: { Size?: bigint | number } = {};
    const status = this.#querySection(section, win32.SectionBasicInformation, information, 24, null) as number;
    if (status !== 0) {
      throw systemError('NtQuerySection', 'EACCES', `NTSTATUS 0x${(status >>> 0).toString(16)}`);
    }
    return Number(information.Size ?? 0);
  }

  mapViewOfFile(section: Pointer, access: number, offset: number, length: number, path?: string): Pointer {
    const address = this.#mapViewOfFile(section, access, Math.floor(offset / 2 ** 32), offset % 2 ** 32, length) as Pointer | null;
    if (address === null) throw this.#failure('MapViewOfFile', path);
    return address;
  }

  unmapViewOfFile(address: Pointer): void {
    if (this.#unmapViewOfFile(address) === 0) throw this.#failure('UnmapViewOfFile');
  }

  flushViewOfFile(address: Pointer, length: number, path?: string): void {
    if (this.#flushViewOfFile(address, length) === 0) throw this.#failure('FlushViewOfFile', path);
  }

  flushViewOfFileAsync(address: Pointer, length: number, path?: string): Promise<void> {
    return this.#async(this.#flushViewOfFile, 'FlushViewOfFile', [address, length], path);
  }

  flushFileBuffers(file: Pointer, path?: string): void {
    if (this.#flushFileBuffers(file) === 0) throw this.#failure('FlushFileBuffers', path);
  }

  flushFileBuffersAsync(file: Pointer, path?: string): Promise<void> {
    return this.#async(this.#flushFileBuffers, 'FlushFileBuffers', [file], path);
  }

  /** `VirtualProtect`; returns the previous protection of the first page. */
  virtualProtect(address: Pointer, length: number, protect: number): number {
    const previous = [0];
    if (this.#virtualProtect(address, length, protect, previous) === 0) throw this.#failure('VirtualProtect');
    return previous[0] as number;
  }

  virtualQuery(address: Pointer): MemoryRegion {
    const information: Record<string, bigint | number | null> = {};
    if (Number(this.#virtualQuery(address, information, 48)) === 0) throw this.#failure('VirtualQuery');
    return {
      baseAddress: BigInt(information.BaseAddress ?? 0),
      allocationBase: BigInt(information.AllocationBase ?? 0),
      regionSize: Number(information.RegionSize),
      state: Number(information.State),
      protect: Number(information.Protect),
      type: Number(information.Type),
    };
  }

  virtualAlloc(address: Pointer | null, length: number, type: number, protect: number): Pointer {
    const result = this.#virtualAlloc(address, length, type, protect) as Pointer | null;
    if (result === null) throw this.#failure('VirtualAlloc');
    return result;
  }

  virtualFree(address: Pointer): void {
    if (this.#virtualFree(address, 0, win32.MEM_RELEASE) === 0) throw this.#failure('VirtualFree');
  }

  virtualLock(address: Pointer, length: number): void {
    if (this.#virtualLock(address, length) === 0) throw this.#failure('VirtualLock');
  }

  virtualUnlock(address: Pointer, length: number): void {
    if (this.#virtualUnlock(address, length) === 0) throw this.#failure('VirtualUnlock');
  }

  prefetchVirtualMemory(address: Pointer, length: number): void {
    const prefetch = this.#present(this.#prefetchVirtualMemory, 'PrefetchVirtualMemory');
    const entry = { VirtualAddress: address, NumberOfBytes: length };
    if (prefetch(this.#getCurrentProcess(), 1, entry, 0) === 0) throw this.#failure('PrefetchVirtualMemory');
  }

  /** `PrefetchVirtualMemory` on one of koffi's worker threads. */
  prefetchVirtualMemoryAsync(address: Pointer, length: number): Promise<void> {
    const prefetch = this.#present(this.#prefetchVirtualMemory, 'PrefetchVirtualMemory');
    const entry = { VirtualAddress: address, NumberOfBytes: length };
    return this.#async(prefetch, 'PrefetchVirtualMemory', [this.#getCurrentProcess(), 1, entry, 0]);
  }

  #duplicate(sourceProcess: Pointer, handle: Pointer, targetProcess: Pointer, path?: string): Pointer {
    const target: Array<Pointer | null> = [null];
    if (this.#duplicateHandle(sourceProcess, handle, targetProcess, target, 0, 0, win32.DUPLICATE_SAME_ACCESS) === 0) {
      throw this.#failure('DuplicateHandle', path);
    }
    return target[0] as Pointer;
  }

  /** The error of the call that just failed: reads `GetLastError()` before anything else. */
  #failure(syscall: string, path?: string): MmapError {
    return windowsCallError(syscall, this.#getLastError() as number, path);
  }

  #present<T>(binding: T | undefined, name: string): T {
    return present(binding, `${name}() (kernel32 here lacks it)`);
  }

  #async(binding: NativeFunction, syscall: string, args: unknown[], path?: string): Promise<void> {
    return this.#asyncCalls.run(
      () =>
        new Promise((resolve, reject) => {
          binding.async(...args, (error: unknown, result: number) => {
            // koffi gives the callback the worker thread's last error.
            const code = this.#getLastError() as number;
            if (error) reject(error);
            else if (result === 0) reject(windowsCallError(syscall, code, path));
            else resolve();
          });
        }),
    );
  }
}

function optional<T>(bind: () => T): T | undefined {
  try {
    return bind();
  } catch {
    return undefined;
  }
}
