/**
 * Named constructors of every `MmapError` (like sharp's `is.invalidParameterError`): each
 * failure is phrased in one place, so that the same failure reads the same on every backend.
 * The operating-system hints (RLIMIT_MEMLOCK, nr_hugepages, max_map_count) live here too.
 */
import type { MapRequest } from './api.js';
import { MmapError, type MmapErrorDetails } from './errors.js';

/**
 * `ERR_MMAP_UNSUPPORTED`: `backend` does not offer `feature` (here).
 *
 * @example
 * ```ts
 * throw unsupported('fallback-fs', 'lock()'); // The fallback-fs backend does not support lock().
 * ```
 */
export function unsupported(backend: string, feature: string, hint?: string): MmapError {
  return new MmapError('ERR_MMAP_UNSUPPORTED', `The ${backend} backend does not support ${feature}${hint === undefined ? '' : ` ${hint}`}.`);
}

/**
 * `ERR_MMAP_BACKEND_UNAVAILABLE`: `backend` cannot load or work in this process.
 *
 * @example
 * ```ts
 * throw unavailable('ffi-koffi', 'it needs a 64-bit process');
 * ```
 */
export function unavailable(backend: string, reason: string, cause?: unknown): MmapError {
  return new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `The ${backend} backend is unavailable here: ${reason}`, cause === undefined ? {} : { cause });
}

/**
 * `ERR_MMAP_CLOSED`: `method` was called on `what` after it was closed.
 *
 * @example
 * ```ts
 * throw closed('mapping', 'sync()', '/data/file.bin'); // Cannot call sync() on a closed mapping of '/data/file.bin'.
 * ```
 */
export function closed(what: string, method: string, path?: string): MmapError {
  return new MmapError('ERR_MMAP_CLOSED', `Cannot call ${method} on a closed ${what}${path === undefined ? '' : ` of '${path}'`}.`, { path });
}

/**
 * `ERR_MMAP_OUT_OF_RANGE`: `name` (`actual`) lies past the end of `range` (e.g. `'the file
 * (4096 bytes)'`); `hint` says what to do instead.
 *
 * @example
 * ```ts
 * throw outOfRange('options.offset', 'the file (10 bytes)', 20, 'pass grow: true with a length to extend it');
 * ```
 */
export function outOfRange(name: string, range: string, actual: number, hint?: string, path?: string): MmapError {
  return new MmapError('ERR_MMAP_OUT_OF_RANGE', `${name} (${actual}) is past the end of ${range}${hint === undefined ? '' : `; ${hint}`}.`, { path });
}

/** `ERR_MMAP_VIEW_TOO_LARGE`: one view of `length` bytes is more than `largestView` allows. */
export function viewTooLarge(length: number, largestView: number): MmapError {
  return new MmapError(
    'ERR_MMAP_VIEW_TOO_LARGE',
    `A view of ${length} bytes is larger than the ${largestView} bytes one view can have on this runtime; take several smaller views.`,
  );
}

/** `ERR_MMAP_DETACHED`: code outside mmapkit moved a buffer of the mapping away; `consequence` says what it costs. */
export function detached(consequence: string): MmapError {
  return new MmapError('ERR_MMAP_DETACHED', `A buffer of this mapping was transferred or detached by code outside mmapkit; ${consequence}`);
}

/** `ERR_MMAP_EXTERNAL_BUFFERS_REFUSED`: the runtime refuses `ArrayBuffer`s over foreign memory. */
export function externalBuffersRefused(detail: string, details: MmapErrorDetails = {}): MmapError {
  return new MmapError(
    'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED',
    `The runtime refuses external ArrayBuffers (${detail}); mapped memory cannot be shown to JavaScript here. Use another backend (fallback-fs works in V8 memory cages).`,
    details,
  );
}

/** What a failing call was asked to do, for `failureHint`. */
export type FailureContext = Partial<Pick<MapRequest, 'fd' | 'hugePages' | 'sharing' | 'protection'>>;

/**
 * The operating-system limit most likely behind a failure, as a parenthesised hint to append to
 * its message ('' when there is none): RLIMIT_MEMLOCK for locking, nr_hugepages for huge pages,
 * max_map_count for running out of mappings, the descriptor's access mode for `EACCES`.
 *
 * @example
 * ```ts
 * failureHint('mlock', 'ENOMEM'); // " (locking is limited by RLIMIT_MEMLOCK: see `ulimit -l`)"
 * ```
 */
export function failureHint(syscall: string, errno: string, context: FailureContext = {}): string {
  const locking = syscall === 'mlock' || syscall === 'VirtualLock';
  if (locking && (errno === 'ENOMEM' || errno === 'EPERM' || errno === 'EAGAIN')) {
    return ' (locking is limited by RLIMIT_MEMLOCK: see `ulimit -l`)';
  }
  if (syscall !== 'mmap') return '';
  if (context.hugePages === true && (errno === 'ENOMEM' || errno === 'EINVAL')) {
    return context.fd === undefined
      ? ' (MAP_HUGETLB needs huge pages reserved by the administrator: see /proc/sys/vm/nr_hugepages)'
      : ' (MAP_HUGETLB maps files only on hugetlbfs; anonymous huge pages need /proc/sys/vm/nr_hugepages > 0)';
  }
  if (errno === 'ENOMEM') {
    return ' (the process may have reached its number of mappings, /proc/sys/vm/max_map_count, or its address-space limit, `ulimit -v`)';
  }
  if (errno === 'EACCES' && context.sharing === 'shared' && context.protection === 'read-write') {
    return ' (a shared read-write mapping needs the file opened for reading and writing)';
  }
  return '';
}
