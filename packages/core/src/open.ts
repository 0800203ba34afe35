import { closeSync, constants as fsConstants, fstatSync, ftruncateSync, openSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnonymousMapOptions, Backend, FileMapOptions, MapRequest, Protection, Sharing } from './api.js';
import { protections, sharings } from './constants.js';
import { fromNodeError, isMmapError, MmapError, MmapRangeError, MmapTypeError, systemError } from './errors.js';
import { Mapping } from './mapping.js';
import { validateBoolean, validateInteger, validateOneOf, validateOptionsObject } from './validate.js';

const fileKeys = [
  'path',
  'fd',
  'offset',
  'length',
  'protection',
  'sharing',
  'create',
  'grow',
  'populate',
  'noReserve',
  'hugePages',
  'lock',
  'faultGuard',
] as const;
const anonymousKeys = ['length', 'protection', 'sharing', 'populate', 'noReserve', 'hugePages', 'lock', 'faultGuard'] as const;

interface CommonFlags {
  protection: Protection;
  sharing: Sharing;
  populate: boolean;
  noReserve: boolean;
  hugePages: boolean;
  lock: boolean;
  faultGuard: boolean;
}

function commonFlags(options: Partial<FileMapOptions>, backend: Backend, defaults: { protection: Protection; sharing: Sharing }): CommonFlags {
  const flags: CommonFlags = {
    protection: validateOneOf(options.protection, 'options.protection', protections, defaults.protection),
    sharing: validateOneOf(options.sharing, 'options.sharing', sharings, defaults.sharing),
    populate: validateBoolean(options.populate, 'options.populate', false),
    noReserve: validateBoolean(options.noReserve, 'options.noReserve', false),
    hugePages: validateBoolean(options.hugePages, 'options.hugePages', false),
    lock: validateBoolean(options.lock, 'options.lock', false),
    faultGuard: validateBoolean(options.faultGuard, 'options.faultGuard', backend.capabilities.faultGuard),
  };
  const capabilities = backend.capabilities;
  const unsupported = (name: string): never => {
    throw new MmapError('ERR_MMAP_UNSUPPORTED', `The ${backend.name} backend does not support ${name}.`);
  };
  if (flags.sharing === 'private' && !capabilities.privateMappings) unsupported("sharing: 'private'");
  if (flags.populate && !capabilities.populate) unsupported('populate: true');
  if (flags.noReserve && !capabilities.noReserve) unsupported('noReserve: true');
  if (flags.hugePages && !capabilities.hugePages) unsupported('hugePages: true');
  if (flags.lock && !capabilities.lock) unsupported('lock: true');
  if (flags.faultGuard && !capabilities.faultGuard) unsupported('faultGuard: true (it has no fault guard: a truncated file or a forbidden write still ends the process)');
  return flags;
}

function pathOf(value: unknown): string {
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new MmapTypeError('options.path', "a path string or a 'file:' URL", value);
    return fileURLToPath(value);
  }
  if (typeof value !== 'string') throw new MmapTypeError('options.path', 'a string or a file URL', value);
  if (value.length === 0) throw new MmapRangeError('options.path', 'a non-empty path', value, 'ERR_INVALID_ARG_VALUE');
  if (value.includes('\0')) throw new MmapRangeError('options.path', 'a path without NUL bytes', value, 'ERR_INVALID_ARG_VALUE');
  return value;
}

/**
 * `backend.map(request)`, with the same hint on every backend when `hugePages` fails: the
 * kernel's ENOMEM/EINVAL alone does not say that huge pages must be reserved first (unless
 * the backend already said so).
 */
function mapWithHint(backend: Backend, request: MapRequest): ReturnType<Backend['map']> {
  try {
    return backend.map(request);
  } catch (error) {
    if (!request.hugePages || !isMmapError(error) || error.syscall !== 'mmap' || (error.errno !== 'ENOMEM' && error.errno !== 'EINVAL')) throw error;
    if (error.message.includes('nr_hugepages')) throw error;
    const hint =
      request.fd === undefined
        ? ' (MAP_HUGETLB needs huge pages reserved by the administrator: see /proc/sys/vm/nr_hugepages)'
        : ' (MAP_HUGETLB maps files only on hugetlbfs; anonymous huge pages need /proc/sys/vm/nr_hugepages > 0)';
    throw new MmapError(error.code, `${error.message}${hint}`, {
      errno: error.errno,
      syscall: error.syscall,
      cause: error,
      ...(error.path === undefined ? {} : { path: error.path }),
    });
  }
}

function statOf(fd: number, path: string | undefined): Stats {
  try {
    return fstatSync(fd);
  } catch (error) {
    throw fromNodeError(error, path);
  }
}

/**
 * Map a file (by `path` or `fd`) with the given backend. The front does every check; the
 * backend receives an exact, aligned request.
 *
 * # Errors
 * `TypeError`/`RangeError` for bad options (the message names the option); `ERR_MMAP_SYSTEM`
 * with `errno`/`syscall`/`path` when the file cannot be opened or mapped (`ENOENT`,
 * `EISDIR`, `EACCES`, `EBADF`...); `ERR_MMAP_OUT_OF_RANGE` when the range lies past the end
 * of the file and `grow` was not given; `ERR_MMAP_UNSUPPORTED` for an option the backend
 * lacks.
 *
 * @example
 * ```ts
 * using mapping = mapFile(backend, { path: 'data.bin', protection: 'read-write' });
 * mapping.bytes[0] = 1;
 * mapping.sync();
 * ```
 */
export function mapFile(backend: Backend, options: FileMapOptions): Mapping {
  if (options === undefined || options === null) throw new MmapTypeError('options', 'an object', options);
  const checked = validateOptionsObject<FileMapOptions>(options, 'options', fileKeys);
  if ((checked.path === undefined) === (checked.fd === undefined)) {
    throw new MmapTypeError('options', 'an object with exactly one of "path" and "fd"', options);
  }
  const path = checked.path === undefined ? undefined : pathOf(checked.path);
  const userFd = checked.fd === undefined ? undefined : validateInteger(checked.fd, 'options.fd', 0, 2 ** 31 - 1);
  const offset = checked.offset === undefined ? 0 : validateInteger(checked.offset, 'options.offset');
  const requestedLength = checked.length === undefined ? undefined : validateInteger(checked.length, 'options.length');
  const flags = commonFlags(checked, backend, { protection: 'read', sharing: 'shared' });
  const create = validateBoolean(checked.create, 'options.create', false);
  const grow = validateBoolean(checked.grow, 'options.grow', false);
  const writesFile = flags.protection === 'read-write' && flags.sharing === 'shared';
  if (create && path === undefined) throw new MmapTypeError('options.create', 'used with "path" (a descriptor is already open)', true);
  if ((create || grow) && !writesFile) {
    throw new MmapTypeError(create ? 'options.create' : 'options.grow', "used with protection: 'read-write' and sharing: 'shared'", true);
  }
  if (grow && requestedLength === undefined) throw new MmapTypeError('options.length', 'given with grow: true', undefined);
  if (offset + (requestedLength ?? 0) > Number.MAX_SAFE_INTEGER) {
    throw new MmapRangeError('options.length', `<= ${Number.MAX_SAFE_INTEGER - offset} (offset + length must be a safe integer)`, requestedLength);
  }

  let fd = userFd;
  const ownsFd = userFd === undefined;
  if (path !== undefined) {
    const access = writesFile ? fsConstants.O_RDWR : fsConstants.O_RDONLY;
    try {
      fd = openSync(path, access | (create ? fsConstants.O_CREAT : 0), 0o600);
    } catch (error) {
      throw fromNodeError(error, path);
    }
  }
  const openedFd = fd as number;
  // Until the backend has the mapping, a descriptor mmapkit opened is closed on any failure.
  let descriptorSettled = false;
  try {
    const stats = statOf(openedFd, path);
    if (stats.isDirectory()) throw systemError('mmap', 'EISDIR', 'a directory cannot be mapped', path);
    if (!stats.isFile() && !stats.isCharacterDevice() && !stats.isBlockDevice()) {
      throw systemError('mmap', 'ENODEV', 'only regular files and devices can be mapped', path);
    }
    let length = requestedLength;
    if (stats.isFile()) {
      const size = stats.size;
      if (offset > size && !grow) {
        throw new MmapError('ERR_MMAP_OUT_OF_RANGE', `options.offset (${offset}) is past the end of the file (${size} bytes); pass grow: true with a length to extend it.`, {
          ...(path === undefined ? {} : { path }),
        });
      }
      length ??= size - offset;
      if (offset + length > size) {
        if (!grow) {
          throw new MmapError(
            'ERR_MMAP_OUT_OF_RANGE',
            `offset + length (${offset + length}) is past the end of the file (${size} bytes); pass grow: true to extend it.`,
            { ...(path === undefined ? {} : { path }) },
          );
        }
        try {
          ftruncateSync(openedFd, offset + length);
        } catch (error) {
          throw fromNodeError(error, path);
        }
      }
    } else if (length === undefined) {
      throw new MmapTypeError('options.length', 'given when mapping a device (it has no size)', undefined);
    }
    const alignmentGap = offset % backend.allocationGranularity;
    const handle =
      length === 0
        ? undefined
        : mapWithHint(backend, {
            fd: openedFd,
            ownsFd,
            path,
            offset: offset - alignmentGap,
            length: length + alignmentGap,
            ...flags,
          } satisfies MapRequest);
    // A retaining backend now owns the descriptor mmapkit opened; otherwise it is no longer needed.
    descriptorSettled = true;
    const retained = handle !== undefined && backend.capabilities.retainsFileDescriptor;
    if (ownsFd && !retained) closeSync(openedFd);
    const mapping = new Mapping({
      backend,
      handle,
      offset,
      byteLength: length,
      alignmentGap,
      protection: flags.protection,
      sharing: flags.sharing,
      path,
      fd: userFd,
      anonymous: false,
    });
    if (flags.lock && handle !== undefined) lockOrClose(mapping);
    return mapping;
  } finally {
    if (!descriptorSettled && ownsFd) {
      try {
        closeSync(openedFd);
      } catch {
        // Already failing: the first error is the one to report.
      }
    }
  }
}

/**
 * Map anonymous, zero-filled memory. Private by default; `sharing: 'shared'` memory is
 * inherited by nothing in Node (there is no fork) — to share with a child process use
 * shared memory from the `mmapkit` package, which passes a descriptor.
 *
 * # Errors
 * `RangeError` for a `length` that is not a positive safe integer; `ERR_MMAP_SYSTEM`
 * (`ENOMEM`) when the memory cannot be reserved.
 *
 * @example
 * ```ts
 * using scratch = mapAnonymous(backend, { length: 1 << 20 });
 * scratch.bytes.fill(7);
 * ```
 */
export function mapAnonymous(backend: Backend, options: AnonymousMapOptions): Mapping {
  if (options === undefined || options === null) throw new MmapTypeError('options', 'an object', options);
  const checked = validateOptionsObject<AnonymousMapOptions>(options, 'options', anonymousKeys);
  const length = validateInteger(checked.length, 'options.length', 1);
  const flags = commonFlags(checked, backend, { protection: 'read-write', sharing: 'private' });
  const handle = mapWithHint(backend, { fd: undefined, ownsFd: false, path: undefined, offset: 0, length, ...flags });
  const mapping = new Mapping({
    backend,
    handle,
    offset: 0,
    byteLength: length,
    alignmentGap: 0,
    protection: flags.protection,
    sharing: flags.sharing,
    path: undefined,
    fd: undefined,
    anonymous: true,
  });
  if (flags.lock) lockOrClose(mapping);
  return mapping;
}

/** `lock: true` at map time: a mapping that cannot be locked is unmapped, not leaked. */
function lockOrClose(mapping: Mapping): void {
  try {
    mapping.lock();
  } catch (error) {
    mapping.close();
    throw error;
  }
}
