/**
 * Named constructors of every `MmapError` (like sharp's `is.invalidParameterError`): each
 * failure is phrased in one place, so that the same failure reads the same on every backend.
 * The operating-system hints (RLIMIT_MEMLOCK, nr_hugepages, max_map_count) live here too.
 */
import type { FaultType, MapRequest } from './api.js';
import { MmapError, type MmapErrorCode, type MmapErrorDetails } from './errors.js';

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

/**
 * `ERR_MMAP_BACKEND_UNAVAILABLE`: the backend a caller named (in `source`, e.g. `'options.backend'`
 * or `'MMAPKIT_BACKEND'`) cannot be used here; `cause` is the error its loading or probe threw.
 */
export function requestedBackendUnavailable(backend: string, source: string, cause: unknown): MmapError {
  return new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `The ${backend} backend requested by ${source} cannot be used here: ${reasonOf(cause)}`, { cause });
}

/** `ERR_MMAP_BACKEND_UNAVAILABLE`: the package `moduleSpecifier` loaded but has no `backend` export. */
export function backendNotExported(moduleSpecifier: string): MmapError {
  return new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `${moduleSpecifier} does not export a backend.`);
}

/**
 * `ERR_MMAP_EXTERNAL_BUFFERS_REFUSED` for a zero-copy backend skipped (not even probed) because
 * an earlier one, `refusedBy`, found that this runtime refuses external buffers.
 */
export function skippedForExternalBuffers(refusedBy: string): MmapError {
  return new MmapError('ERR_MMAP_EXTERNAL_BUFFERS_REFUSED', `this runtime refuses external buffers (found by ${refusedBy}), which every zero-copy backend needs`);
}

/** `ERR_MMAP_NO_BACKEND`: no candidate works here; `rejected` says why, one entry per candidate. */
export function noBackend(rejected: ReadonlyArray<{ readonly name: string; readonly reason: string }>): MmapError {
  const reasons = rejected.map((entry) => `${entry.name}: ${entry.reason}`).join('; ');
  return new MmapError('ERR_MMAP_NO_BACKEND', `No mmapkit backend works here (${reasons || 'no candidates'}).`);
}

/**
 * `ERR_MMAP_UNSUPPORTED` for page-cache questions (residency of a file) asked of a backend that
 * keeps its own copy of the file; `alternatives` are the reasons no backend that can see the page
 * cache loads here, when those were tried.
 */
export function pageCacheUnseen(backend: string, alternatives?: readonly string[]): MmapError {
  if (alternatives === undefined) {
    return new MmapError('ERR_MMAP_UNSUPPORTED', `the ${backend} backend cannot see the page cache; use pageCacheBackend()`);
  }
  return new MmapError(
    'ERR_MMAP_UNSUPPORTED',
    `the ${backend} backend keeps its own copy of a file and cannot see the page cache, and no backend that can loads here (${alternatives.join('; ')})`,
  );
}

/** The error codes of the fault guard's four kinds of fault, in `FaultType` order. */
const faultCodes: Record<FaultType, MmapErrorCode> = {
  truncated: 'ERR_MMAP_TRUNCATED',
  'read-only-write': 'ERR_MMAP_READONLY_WRITE',
  'access-revoked': 'ERR_MMAP_ACCESS_REVOKED',
  'io-error': 'ERR_MMAP_SYSTEM',
};

/**
 * The error a poisoned mapping throws from `method`: the code of its first fault (of `type`, at
 * `offset` from the mapping's first byte), what happened to the page, and that only `close()`
 * ends it.
 */
export function poisoned(type: FaultType, method: string, offset: number, path?: string): MmapError {
  const file = path === undefined ? '' : ` of '${path}'`;
  const ending = `The mapping is poisoned: every call but close() throws this until it is closed (mapping.faults() lists what happened).`;
  const what: Record<FaultType, string> = {
    truncated: `the file${file} was truncated below the mapped range while mapped (an access at offset ${offset} was past its new end). Bytes past the new end now read as 0 and writes there were discarded.`,
    'read-only-write': `code wrote to a read-only page of this mapping${file} (offset ${offset}). The write went to a private copy of the page and never reached the file.`,
    'access-revoked': `code touched a page of this mapping${file} whose access was revoked (protection 'none', offset ${offset}). The page now reads as 0 and writes to it go nowhere.`,
    'io-error': `the kernel could not supply a page of this mapping${file} (offset ${offset}: an I/O error, or no space for a page of a sparse file). The page now reads as 0.`,
  };
  const details: MmapErrorDetails = type === 'io-error' ? { path, errno: 'EIO', syscall: 'page fault' } : { path };
  return new MmapError(faultCodes[type], `Cannot call ${method}: ${what[type]} ${ending}`, details);
}

/**
 * `ERR_MMAP_TRUNCATED` on a backend that learns of a truncation by reading the file's size
 * (fallback-fs): the file is now `newEnd` bytes long, as found by `call`.
 */
export function truncatedBehind(newEnd: number, call: string, path?: string): MmapError {
  const file = path === undefined ? 'The mapped file' : `The file '${path}'`;
  return new MmapError(
    'ERR_MMAP_TRUNCATED',
    `${file} was truncated to ${newEnd} bytes by someone else while mapped (found by ${call}). Bytes past the new end now read as 0 and are never written back, even if the file grows again; changes below it are kept. Close the mapping and map the file again.`,
    path === undefined ? {} : { path },
  );
}

/** `error` again (same code, errno, syscall and path, `error` as the cause) with `hint` appended to its message. */
export function withHint(error: MmapError, hint: string): MmapError {
  return new MmapError(error.code, `${error.message}${hint}`, { errno: error.errno, syscall: error.syscall, cause: error, path: error.path });
}

/** What the mapping budget knew when it refused, for `tooManyMappings`. */
export interface MappingCount {
  /** `vm.max_map_count`: areas the kernel allows one process. */
  readonly limit: number;
  /** Areas mmapkit keeps free for V8 and the rest of the process. */
  readonly reserve: number;
  /** Areas in the process's memory map (`/proc/self/maps`) at the last count, with this one. */
  readonly areas: number;
  /** Mappings mmapkit holds open. */
  readonly held: number;
}

/**
 * `ERR_MMAP_TOO_MANY_MAPPINGS`: one more mapping would use the areas mmapkit keeps for V8 (which
 * aborts the process when it cannot map memory), or the kernel refused one for that reason.
 */
export function tooManyMappings(count: MappingCount, cause?: unknown): MmapError {
  const raised = Math.max(262_144, count.limit * 2);
  return new MmapError(
    'ERR_MMAP_TOO_MANY_MAPPINGS',
    `Cannot map more: this process would have ${count.areas} memory-map areas (${count.held} of them mappings held by mmapkit), and Linux allows ${count.limit} per process (vm.max_map_count); mmapkit keeps the last ${count.reserve} for V8 and the rest of the process, which end it when they cannot map memory. Close mappings (or map fewer, larger ranges), or raise the limit: sudo sysctl vm.max_map_count=${raised} (add it to /etc/sysctl.d/ to keep it after a reboot).`,
    cause === undefined ? {} : { cause },
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
