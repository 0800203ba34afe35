import { closeSync, fstatSync, ftruncateSync } from 'node:fs';
import {
  closed,
  fromNodeError,
  mapFile,
  normalizeSharedMemoryName,
  unsupported,
  validateBoolean,
  validateInteger,
  validateOptionsObject,
  type Backend,
  type Mapping,
  type Protection,
} from '@mmapkit/core';
import type { BackendName } from './backends.js';
import { backendFor, type BackendOption } from './map.js';

/** Options of `SharedMemory.map()`. */
export interface SharedMemoryMapOptions {
  /** @defaultValue `'read-write'` */
  protection?: Protection;
  /** @defaultValue `0` */
  offset?: number;
  /** @defaultValue to the end */
  length?: number;
}

/** Options when creating named shared memory. */
export interface CreateNamedSharedMemoryOptions extends BackendOption {
  /**
   * Permission bits of the new object (before the umask).
   * @defaultValue `0o600` (owner only)
   */
  mode?: number;
  /**
   * Fail with `EEXIST` when the name exists already, instead of opening it.
   * @defaultValue `true`
   */
  exclusive?: boolean;
}

/** Options when opening existing named shared memory. */
export interface OpenNamedSharedMemoryOptions extends BackendOption {
  /** @defaultValue `false` */
  readOnly?: boolean;
}

/**
 * Memory that several processes share: anonymous (a descriptor handed to a child process)
 * or named (POSIX `shm_open`, outliving its processes until unlinked). Map it with `map()`;
 * close the descriptor with `close()` once every process has mapped it.
 *
 * @example
 * ```ts
 * // parent
 * using memory = SharedMemory.create(4096);
 * const child = spawn(process.execPath, ['child.js'], { stdio: ['inherit', 'inherit', 'inherit', memory.fd] });
 * // child: SharedMemory.fromFd(3).map()
 * ```
 */
export class SharedMemory implements Disposable {
  /** The descriptor; pass it to a child process through `stdio`. */
  readonly fd: number;
  /** The size in bytes when this object was made. */
  readonly byteLength: number;
  /** The name of named shared memory (with its leading `/`), else `undefined`. */
  readonly name: string | undefined;
  /** The backend that maps it. */
  readonly backend: Backend;
  #closed = false;

  private constructor(fd: number, byteLength: number, name: string | undefined, backend: Backend) {
    this.fd = fd;
    this.byteLength = byteLength;
    this.name = name;
    this.backend = backend;
  }

  /**
   * New anonymous shared memory of `length` zero bytes (`memfd_create` on Linux).
   *
   * # Errors
   * `RangeError` for a bad length; `ERR_MMAP_UNSUPPORTED` when the backend has no anonymous
   * shared memory; `ERR_MMAP_SYSTEM` from the operating system.
   */
  static create(length: number, options: BackendOption & { name?: string } = {}): SharedMemory {
    const checked = validateOptionsObject<BackendOption & { name?: string }>(options, 'options', ['backend', 'name']);
    const byteLength = validateInteger(length, 'length', 1);
    const backend = backendFor(checked.backend);
    if (!backend.capabilities.anonymousSharedMemory) {
      throw unsupported(backend.name, 'anonymous shared memory here');
    }
    const label = checked.name === undefined ? 'mmapkit' : normalizeSharedMemoryName(checked.name).slice(1);
    return new SharedMemory(backend.createAnonymousSharedMemory(label, byteLength), byteLength, undefined, backend);
  }

  /**
   * Shared memory from a descriptor this process inherited (for example `3` in a child
   * spawned with the descriptor in `stdio[3]`). Its size is read with `fstat`.
   */
  static fromFd(fd: number, options: BackendOption = {}): SharedMemory {
    const checked = validateOptionsObject<BackendOption>(options, 'options', ['backend']);
    const descriptor = validateInteger(fd, 'fd', 0, 2 ** 31 - 1);
    let size: number;
    try {
      size = fstatSync(descriptor).size;
    } catch (error) {
      throw fromNodeError(error);
    }
    return new SharedMemory(descriptor, size, undefined, backendFor(checked.backend));
  }

  /**
   * Create named shared memory of `length` zero bytes, owner-only by default.
   *
   * # Errors
   * `RangeError` for a non-portable name; `ERR_MMAP_SYSTEM` `EEXIST` when it exists and
   * `exclusive` is true; `ERR_MMAP_UNSUPPORTED` when the backend has no named shared memory.
   */
  static createNamed(name: string, length: number, options: CreateNamedSharedMemoryOptions = {}): SharedMemory {
    const checked = validateOptionsObject<CreateNamedSharedMemoryOptions>(options, 'options', ['backend', 'mode', 'exclusive']);
    const normalized = normalizeSharedMemoryName(name);
    const byteLength = validateInteger(length, 'length', 1);
    const mode = checked.mode === undefined ? 0o600 : validateInteger(checked.mode, 'options.mode', 0, 0o777);
    const exclusive = validateBoolean(checked.exclusive, 'options.exclusive', true);
    const backend = namedBackend(checked.backend);
    const fd = backend.openNamedSharedMemory(normalized, { create: true, exclusive, readWrite: true }, mode);
    try {
      if (fstatSync(fd).size < byteLength) ftruncateSync(fd, byteLength);
    } catch (error) {
      closeSync(fd);
      throw fromNodeError(error, normalized);
    }
    return new SharedMemory(fd, byteLength, normalized, backend);
  }

  /** Open existing named shared memory. `ERR_MMAP_SYSTEM` `ENOENT` when there is none. */
  static openNamed(name: string, options: OpenNamedSharedMemoryOptions = {}): SharedMemory {
    const checked = validateOptionsObject<OpenNamedSharedMemoryOptions>(options, 'options', ['backend', 'readOnly']);
    const normalized = normalizeSharedMemoryName(name);
    const readOnly = validateBoolean(checked.readOnly, 'options.readOnly', false);
    const backend = namedBackend(checked.backend);
    const fd = backend.openNamedSharedMemory(normalized, { create: false, exclusive: false, readWrite: !readOnly }, 0);
    let size: number;
    try {
      size = fstatSync(fd).size;
    } catch (error) {
      closeSync(fd);
      throw fromNodeError(error, normalized);
    }
    return new SharedMemory(fd, size, normalized, backend);
  }

  /** Remove a name (`shm_unlink`); processes that have it mapped keep their memory. */
  static unlinkNamed(name: string, options: BackendOption = {}): void {
    const checked = validateOptionsObject<BackendOption>(options, 'options', ['backend']);
    namedBackend(checked.backend).unlinkNamedSharedMemory(normalizeSharedMemoryName(name));
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Map the memory (shared, read-write by default). The mapping stays valid after
   * `close()` on backends that do not retain the descriptor
   * (`backend.capabilities.retainsFileDescriptor` false); otherwise close the mappings first.
   */
  map(options: SharedMemoryMapOptions = {}): Mapping {
    if (this.#closed) throw closed('shared memory descriptor', 'map()');
    const checked = validateOptionsObject<SharedMemoryMapOptions>(options, 'options', ['protection', 'offset', 'length']);
    return mapFile(this.backend, {
      fd: this.fd,
      sharing: 'shared',
      protection: checked.protection ?? 'read-write',
      ...(checked.offset === undefined ? {} : { offset: checked.offset }),
      ...(checked.length === undefined ? {} : { length: checked.length }),
    });
  }

  /** Close the descriptor. Idempotent. Named memory stays until `unlinkNamed()`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function namedBackend(option: BackendName | Backend | undefined): Backend {
  const backend = backendFor(option);
  if (!backend.capabilities.namedSharedMemory) {
    throw unsupported(backend.name, 'named shared memory here');
  }
  return backend;
}
