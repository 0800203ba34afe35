import { closeSync, constants as fsConstants, fstatSync, ftruncateSync, openSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnonymousMapOptions, Backend, BackendMapping, FileMapOptions, MapRequest, Protection, Sharing } from './api.js';
import { protections, sharings } from './constants.js';
import { fromNodeError, isMmapError, MmapError, MmapRangeError, MmapTypeError, systemError } from './errors.js';
import { failureHint, outOfRange, unsupported } from './failures.js';
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
  const refuse = (feature: string, hint?: string): never => {
    throw unsupported(backend.name, feature, hint);
  };
  if (flags.sharing === 'private' && !capabilities.privateMappings) refuse("sharing: 'private'");
  if (flags.populate && !capabilities.populate) refuse('populate: true');
  if (flags.noReserve && !capabilities.noReserve) refuse('noReserve: true');
  if (flags.hugePages && !capabilities.hugePages) refuse('hugePages: true');
  if (flags.lock && !capabilities.lock) refuse('lock: true');
  if (flags.faultGuard && !capabilities.faultGuard) {
    refuse('faultGuard: true', '(it has no fault guard: a truncated file or a forbidden write still ends the process)');
  }
  return flags;
}

/**
 * `backend.map(request)`, with the huge-page hint added at the front when a `hugePages` request
 * fails, so the failure reads the same whichever backend reported it.
 */
function mapWithHint(backend: Backend, request: MapRequest): BackendMapping {
  try {
    return backend.map(request);
  } catch (error) {
    if (!request.hugePages || !isMmapError(error) || error.syscall !== 'mmap' || error.errno === undefined) throw error;
    if (error.message.includes('nr_hugepages')) throw error;
    const hint = failureHint('mmap', error.errno, request);
    if (hint === '') throw error;
    throw new MmapError(error.code, `${error.message}${hint}`, { errno: error.errno, syscall: error.syscall, cause: error, path: error.path });
  }
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

function statOf(fd: number, path: string | undefined): Stats {
  try {
    return fstatSync(fd);
  } catch (error) {
    throw fromNodeError(error, path);
  }
}

/** A file mapping's options, checked and interpreted: what the stages after validation use. */
interface FileRequest {
  readonly path: string | undefined;
  /** The descriptor the user passed (mmapkit never closes it). */
  readonly userFd: number | undefined;
  readonly offset: number;
  readonly requestedLength: number | undefined;
  readonly flags: CommonFlags;
  readonly create: boolean;
  readonly grow: boolean;
  /** A read-write shared mapping: the file is opened for writing. */
  readonly writesFile: boolean;
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
  // Defaults, validation and interpretation of the options: nothing is opened yet.
  const request = readFileOptions(backend, options);
  // Open: a descriptor mmapkit opens is closed on any failure until the backend has the mapping.
  const fd = request.userFd ?? openFile(request);
  const ownsFd = request.userFd === undefined;
  let descriptorSettled = false;
  try {
    const length = fileRangeLength(fd, request);
    const handle = length === 0 ? undefined : mapRange(backend, fd, ownsFd, request, length);
    // A retaining backend now owns the descriptor mmapkit opened; otherwise it is no longer needed.
    descriptorSettled = true;
    const retained = handle !== undefined && backend.capabilities.retainsFileDescriptor;
    if (ownsFd && !retained) closeSync(fd);
    const mapping = new Mapping({
      backend,
      handle,
      offset: request.offset,
      byteLength: length,
      alignmentGap: request.offset % backend.allocationGranularity,
      protection: request.flags.protection,
      sharing: request.flags.sharing,
      path: request.path,
      fd: request.userFd,
      anonymous: false,
    });
    if (request.flags.lock && handle !== undefined) lockOrClose(mapping);
    return mapping;
  } finally {
    if (!descriptorSettled && ownsFd) closeQuietly(fd);
  }
}

/** Stage 1 of `mapFile`: apply defaults, check every option and how they combine. */
function readFileOptions(backend: Backend, options: FileMapOptions): FileRequest {
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
  return { path, userFd, offset, requestedLength, flags, create, grow, writesFile };
}

/** Stage 2 of `mapFile`: open the file by path, for writing when the mapping writes it. */
function openFile(request: FileRequest): number {
  const path = request.path as string;
  const access = request.writesFile ? fsConstants.O_RDWR : fsConstants.O_RDONLY;
  try {
    return openSync(path, access | (request.create ? fsConstants.O_CREAT : 0), 0o600);
  } catch (error) {
    throw fromNodeError(error, path);
  }
}

/**
 * Stage 3 of `mapFile`: what is mapped: a regular file's range (to its end by default, grown
 * when `grow` asks for it) or a device's given length.
 */
function fileRangeLength(fd: number, request: FileRequest): number {
  const { path, offset, grow } = request;
  const stats = statOf(fd, path);
  if (stats.isDirectory()) throw systemError('mmap', 'EISDIR', 'a directory cannot be mapped', path);
  if (!stats.isFile() && !stats.isCharacterDevice() && !stats.isBlockDevice()) {
    throw systemError('mmap', 'ENODEV', 'only regular files and devices can be mapped', path);
  }
  if (!stats.isFile()) {
    if (request.requestedLength === undefined) {
      throw new MmapTypeError('options.length', 'given when mapping a device (it has no size)', undefined);
    }
    return request.requestedLength;
  }
  const size = stats.size;
  if (offset > size && !grow) {
    throw outOfRange('options.offset', `the file (${size} bytes)`, offset, 'pass grow: true with a length to extend it', path);
  }
  const length = request.requestedLength ?? size - offset;
  if (offset + length > size) {
    if (!grow) {
      throw outOfRange('offset + length', `the file (${size} bytes)`, offset + length, 'pass grow: true to extend it', path);
    }
    try {
      ftruncateSync(fd, offset + length);
    } catch (error) {
      throw fromNodeError(error, path);
    }
  }
  return length;
}

/** Stage 4 of `mapFile`: the backend maps the range, widened down to its allocation granularity. */
function mapRange(backend: Backend, fd: number, ownsFd: boolean, request: FileRequest, length: number): BackendMapping {
  const alignmentGap = request.offset % backend.allocationGranularity;
  return mapWithHint(backend, {
    fd,
    ownsFd,
    path: request.path,
    offset: request.offset - alignmentGap,
    length: length + alignmentGap,
    ...request.flags,
  } satisfies MapRequest);
}

/** Closes a descriptor while another error is already on its way. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing: the first error is the one to report.
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
