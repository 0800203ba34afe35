import {
  closed,
  Mapping,
  outOfRange,
  unsupported,
  MmapRangeError,
  MmapTypeError,
  protections,
  sharings,
  systemError,
  validateBoolean,
  validateInteger,
  validateOneOf,
  validateOptionsObject,
  type Protection,
  type Sharing,
} from '@mmapkit/core';
import { created } from './instance.js';
import type { Pointer } from './kernel32.js';
import { win32 } from './platform/win32.js';
import type { WindowsBackend } from './win32-backend.js';

/** Options of `WindowsSharedMemory.map()`. */
export interface WindowsSharedMemoryMapOptions {
  /** @defaultValue `'read-write'`, or `'read'` for memory opened `readOnly` */
  protection?: Protection;
  /**
   * `'shared'`: writes are seen by every process mapping the memory; `'private'`:
   * copy-on-write (`FILE_MAP_COPY`), writes stay in this mapping.
   * @defaultValue `'shared'`
   */
  sharing?: Sharing;
  /** Any byte offset; aligned to the allocation granularity internally. @defaultValue `0` */
  offset?: number;
  /** @defaultValue to the end */
  length?: number;
}

/** Options of `WindowsSharedMemory.open()` and `.fromHandle()`. */
export interface WindowsSharedMemoryOpenOptions {
  /** Open for reading only. @defaultValue `false` */
  readOnly?: boolean;
}

/** Options of `WindowsSharedMemory.create()`. */
export interface WindowsSharedMemoryCreateOptions {
  /** A name other processes can open it by; without one the memory is anonymous. */
  name?: string;
  /**
   * Fail with `EEXIST` when the name exists already, instead of opening it.
   * @defaultValue `true`
   */
  exclusive?: boolean;
}

const portableName = /^\/[A-Za-z0-9._-]{1,250}$/;

/** The Windows object name of a portable name: `'/cache'` is `Local\cache` (this session). */
function objectName(name: unknown): { portable: string; object: string } {
  if (typeof name !== 'string') throw new MmapTypeError('name', 'a string', name);
  const portable = name.startsWith('/') ? name : `/${name}`;
  if (!portableName.test(portable) || portable === '/.' || portable === '/..') {
    throw new MmapRangeError('name', "a portable name: an optional leading '/', then 1 to 250 of A-Z a-z 0-9 . _ -", name, 'ERR_INVALID_ARG_VALUE');
  }
  return { portable, object: `Local\\${portable.slice(1)}` };
}

function windowsHalf(): WindowsBackend {
  if (created.windows === undefined) {
    throw unsupported('ffi-koffi', `WindowsSharedMemory on ${process.platform}`, '(it is for Windows; use SharedMemory from mmapkit)');
  }
  return created.windows;
}

/**
 * Shared memory the Windows way: a section object backed by the paging file
 * (`CreateFileMappingW(INVALID_HANDLE_VALUE, ...)`), anonymous or named. Windows has no
 * descriptor for it, so it is not the backend's `createAnonymousSharedMemory()`:
 *
 * - anonymous memory reaches a child process as a handle: `duplicateInto(child.pid)` copies
 *   the handle into the child (`DuplicateHandle`), which opens it with `fromHandle(value)`;
 * - named memory (`Local\<name>`, this logon session) is opened by name with `open()`.
 *
 * Unlike POSIX `shm_open`, a section lives only while some process holds a handle or a view
 * of it: there is no unlink, and the memory is gone when the last holder closes.
 *
 * @example
 * ```ts
 * using memory = WindowsSharedMemory.create(4096, { name: 'jobs' });
 * using mapping = memory.map();
 * mapping.bytes[0] = 1; // another process: WindowsSharedMemory.open('jobs').map()
 * ```
 */
export class WindowsSharedMemory implements Disposable {
  /** The portable name (with its leading `/`) of named memory, else `undefined`. */
  readonly name: string | undefined;
  /** The size in bytes. */
  readonly byteLength: number;
  /** Opened for reading only. */
  readonly readOnly: boolean;
  #section: Pointer | undefined;

  private constructor(section: Pointer, byteLength: number, name: string | undefined, readOnly: boolean) {
    this.#section = section;
    this.byteLength = byteLength;
    this.name = name;
    this.readOnly = readOnly;
  }

  /**
   * New zero-filled shared memory of `length` bytes, anonymous or named.
   *
   * # Errors
   * `RangeError` for a bad length or name; `ERR_MMAP_SYSTEM` `EEXIST` when `name` exists and
   * `exclusive` is true; `ERR_MMAP_UNSUPPORTED` on other operating systems.
   */
  static create(length: number, options: WindowsSharedMemoryCreateOptions = {}): WindowsSharedMemory {
    const checked = validateOptionsObject<WindowsSharedMemoryCreateOptions>(options, 'options', ['name', 'exclusive']);
    const byteLength = validateInteger(length, 'length', 1);
    const names = checked.name === undefined ? undefined : objectName(checked.name);
    const exclusive = validateBoolean(checked.exclusive, 'options.exclusive', true);
    const { kernel32 } = windowsHalf().context;
    const { section, alreadyExisted } = kernel32.createFileMapping(win32.INVALID_HANDLE_VALUE, win32.PAGE_READWRITE, byteLength, names?.object ?? null);
    if (alreadyExisted) {
      if (exclusive) {
        kernel32.closeHandle(section);
        throw systemError('CreateFileMappingW', 'EEXIST', 'ERROR_ALREADY_EXISTS (183)', names?.portable);
      }
      return new WindowsSharedMemory(section, kernel32.sectionSize(section), names?.portable, false);
    }
    return new WindowsSharedMemory(section, byteLength, names?.portable, false);
  }

  /**
   * Open named shared memory created by another process (`OpenFileMappingW`).
   *
   * # Errors
   * `ERR_MMAP_SYSTEM` `ENOENT` when no process holds memory of that name.
   */
  static open(name: string, options: WindowsSharedMemoryOpenOptions = {}): WindowsSharedMemory {
    const checked = validateOptionsObject<WindowsSharedMemoryOpenOptions>(options, 'options', ['readOnly']);
    const names = objectName(name);
    const readOnly = validateBoolean(checked.readOnly, 'options.readOnly', false);
    const { kernel32 } = windowsHalf().context;
    const access = win32.FILE_MAP_READ | win32.SECTION_QUERY | (readOnly ? 0 : win32.FILE_MAP_WRITE);
    const section = kernel32.openFileMapping(access, names.object);
    try {
      return new WindowsSharedMemory(section, kernel32.sectionSize(section), names.portable, readOnly);
    } catch (error) {
      kernel32.closeHandle(section);
      throw error;
    }
  }

  /**
   * Shared memory from a section handle another process put into this one with
   * `duplicateInto(process.pid)` (passed as a number, bigint or decimal string). This object
   * takes ownership of the handle.
   */
  static fromHandle(handle: number | bigint | string, options: WindowsSharedMemoryOpenOptions = {}): WindowsSharedMemory {
    const checked = validateOptionsObject<WindowsSharedMemoryOpenOptions>(options, 'options', ['readOnly']);
    const readOnly = validateBoolean(checked.readOnly, 'options.readOnly', false);
    let value: bigint;
    try {
      value = BigInt(handle);
    } catch {
      throw new MmapTypeError('handle', 'a handle value (number, bigint or decimal string)', handle);
    }
    if (value <= 0n || value >= 2n ** 63n) throw new MmapRangeError('handle', 'a positive handle value', handle);
    const { kernel32 } = windowsHalf().context;
    return new WindowsSharedMemory(value, kernel32.sectionSize(value), undefined, readOnly);
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.#section === undefined;
  }

  /**
   * Copy the section handle into another process (`DuplicateHandle`, same access) and return
   * its value there; that process passes it to `fromHandle()`. Needs `PROCESS_DUP_HANDLE`
   * on the target, which a child process of the same user grants.
   */
  duplicateInto(processId: number): bigint {
    const pid = validateInteger(processId, 'processId', 1, 2 ** 32 - 1);
    return windowsHalf().context.kernel32.duplicateHandleInto(pid, this.#open('duplicateInto'));
  }

  /**
   * Map a range of the memory. The mapping is an ordinary core `Mapping` (views, `sync`,
   * `protect`, `close`...) and keeps the memory alive on its own after `close()` of this
   * object.
   *
   * # Errors
   * `ERR_MMAP_OUT_OF_RANGE` past `byteLength`; `ERR_MMAP_SYSTEM` `EACCES` for a writable
   * mapping of memory opened `readOnly`.
   */
  map(options: WindowsSharedMemoryMapOptions = {}): Mapping {
    const section = this.#open('map');
    const checked = validateOptionsObject<WindowsSharedMemoryMapOptions>(options, 'options', ['protection', 'sharing', 'offset', 'length']);
    const protection = validateOneOf(checked.protection, 'options.protection', protections, this.readOnly ? 'read' : 'read-write');
    const sharing = validateOneOf(checked.sharing, 'options.sharing', sharings, 'shared');
    const offset = checked.offset === undefined ? 0 : validateInteger(checked.offset, 'options.offset');
    if (offset > this.byteLength) {
      throw outOfRange('options.offset', `the shared memory (${this.byteLength} bytes)`, offset);
    }
    const length = checked.length === undefined ? this.byteLength - offset : validateInteger(checked.length, 'options.length');
    if (offset + length > this.byteLength) {
      throw outOfRange('offset + length', `the shared memory (${this.byteLength} bytes)`, offset + length);
    }
    if (this.readOnly && protection === 'read-write' && sharing === 'shared') {
      throw systemError('MapViewOfFile', 'EACCES', 'the shared memory was opened read-only', this.name);
    }
    const windows = windowsHalf();
    const alignmentGap = offset % windows.backend.allocationGranularity;
    const handle =
      length === 0 ? undefined : windows.mapSection(section, offset - alignmentGap, length + alignmentGap, protection, sharing, !this.readOnly, this.name);
    return new Mapping({
      backend: windows.backend,
      handle,
      offset,
      byteLength: length,
      alignmentGap,
      protection,
      sharing,
      path: undefined,
      fd: undefined,
      anonymous: true,
    });
  }

  /** Close this process's handle. Mappings made by `map()` stay valid until closed. */
  close(): void {
    const section = this.#section;
    if (section === undefined) return;
    this.#section = undefined;
    windowsHalf().context.kernel32.closeHandle(section);
  }

  /** `close()`, for `using memory = ...`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(method: string): Pointer {
    if (this.#section === undefined) throw closed('shared memory', `${method}()`);
    return this.#section;
  }
}
