import {
  mapAnonymous as mapAnonymousWith,
  mapFile,
  MmapTypeError,
  type AnonymousMapOptions,
  type Backend,
  type FileMapOptions,
  type Mapping,
} from '@mmapkit/core';
import { chooseBackend, type BackendChoice, type BackendName } from './backends.js';

/** Choosing a backend per call. */
export interface BackendOption {
  /**
   * The backend to use: a name or a `Backend` object.
   * @defaultValue the process default (`defaultBackend()`)
   */
  backend?: BackendName | Backend;
}

/** Options of `map()`: `FileMapOptions` plus `backend`. */
export interface MapOptions extends FileMapOptions, BackendOption {}

/** Options of `mapAnonymous()`: `AnonymousMapOptions` without `length`, plus `backend`. */
export interface MapAnonymousOptions extends Omit<AnonymousMapOptions, 'length'>, BackendOption {}

let processDefault: BackendChoice | undefined;

/**
 * The backend this process uses when a call names none, chosen once on first use:
 * `MMAPKIT_BACKEND` if set, else native-napi, ffi-koffi, fallback-fs — the first that
 * works here. `reason` says why.
 *
 * @example
 * ```ts
 * const { backend, reason, rejected } = defaultBackend();
 * ```
 */
export function defaultBackend(): BackendChoice {
  processDefault ??= chooseBackend();
  return processDefault;
}

/** The backend for a call: the one it names, or the process default. */
export function backendFor(option: BackendName | Backend | undefined): Backend {
  return option === undefined ? defaultBackend().backend : chooseBackend({ backend: option }).backend;
}

/**
 * Map a file into memory.
 *
 * @param target - a path, or every option in one object (`{ path }` or `{ fd }`)
 * @param options - with a path: the other options (`offset`, `length`, `protection`
 *   (default `'read'`), `sharing` (default `'shared'`), `create`, `grow`, `populate`,
 *   `noReserve`, `hugePages`, `lock`, `faultGuard` (default: on where the backend has the
 *   guard — native-napi — so a truncated file or a forbidden write throws instead of
 *   killing the process), `backend`)
 *
 * # Errors
 * As `mapFile()` in `@mmapkit/core`: `TypeError`/`RangeError` naming a bad option;
 * `MmapError` `ERR_MMAP_SYSTEM` (with `errno`, `syscall`, `path`), `ERR_MMAP_OUT_OF_RANGE`,
 * `ERR_MMAP_UNSUPPORTED`; `ERR_MMAP_BACKEND_UNAVAILABLE` for a named backend that cannot load.
 *
 * @example
 * ```ts
 * import { map } from 'mmapkit';
 * using mapping = map('data.bin', { protection: 'read-write' });
 * mapping.bytes[0] ^= 1;
 * mapping.sync();
 * ```
 */
export function map(target: string | URL | MapOptions, options: Omit<MapOptions, 'path' | 'fd'> = {}): Mapping {
  if (typeof target === 'string' || target instanceof URL) {
    if (typeof options !== 'object' || options === null) throw new MmapTypeError('options', 'an object', options);
    const { backend, ...rest } = options;
    return mapFile(backendFor(backend), { ...rest, path: target });
  }
  if (typeof target !== 'object' || target === null) throw new MmapTypeError('target', 'a path, a file URL or an options object', target);
  const { backend, ...rest } = target;
  return mapFile(backendFor(backend), rest);
}

/**
 * Map `length` bytes of anonymous, zero-filled memory (private by default).
 *
 * # Errors
 * `RangeError` for a length that is not a positive safe integer; `ERR_MMAP_SYSTEM` (`ENOMEM`).
 *
 * @example
 * ```ts
 * using scratch = mapAnonymous(64 * 1024 * 1024);
 * scratch.bytes.fill(1);
 * ```
 */
export function mapAnonymous(length: number, options: MapAnonymousOptions = {}): Mapping {
  if (typeof options !== 'object' || options === null) throw new MmapTypeError('options', 'an object', options);
  const { backend, ...rest } = options;
  return mapAnonymousWith(backendFor(backend), { ...rest, length });
}
