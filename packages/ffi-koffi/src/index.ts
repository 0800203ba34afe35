import type { Backend } from '@mmapkit/core';
import { created } from './instance.js';

/**
 * The ffi-koffi backend: the C library's `mmap` family (kernel32's `CreateFileMappingW`
 * family on Windows) called through koffi, for machines without a compiler. Importing this
 * module throws `MmapError` (`ERR_MMAP_BACKEND_UNAVAILABLE`) with the reason when koffi
 * cannot load here.
 *
 * @example
 * ```ts
 * import { mapFile } from '@mmapkit/core';
 * import { backend } from '@mmapkit/ffi-koffi';
 * using mapping = mapFile(backend, { path: 'data.bin' });
 * ```
 */
export const backend: Backend = created.backend;

export { WindowsSharedMemory } from './win32-shared-memory.js';
export type { WindowsSharedMemoryMapOptions, WindowsSharedMemoryOpenOptions } from './win32-shared-memory.js';
