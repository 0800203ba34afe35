/**
 * `createWriteStream()`: writes into a shared mapping of the file. The file grows `growBy`
 * bytes at a time (`ftruncate`, then the next window is mapped) and is cut back to what was
 * written when the stream finishes, is destroyed or fails.
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { fromNodeError, map } from 'mmapkit';
import { pageFaultError } from './errors.js';
import type { Mapping } from 'mmapkit';
import type { WriteOptions } from './api.js';
import { validatePath, validateWriteOptions, type CheckedWriteOptions } from './validate.js';

const openFlags = {
  w: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  'r+': constants.O_RDWR,
  a: constants.O_RDWR | constants.O_CREAT,
} as const;

/** The `Writable` `createWriteStream()` returns. */
export class MappedWriteStream extends Writable {
  /** The file being written. */
  readonly path: string;
  /** Bytes written so far. */
  bytesWritten = 0;
  /** The file's descriptor, or `-1` when the file could not be opened (the stream then errors). */
  readonly fd: number = -1;
  readonly #options: CheckedWriteOptions;
  /** The file's size before the stream; it never ends shorter than this. */
  readonly #initialSize: number = 0;
  /** File offset of the next byte. */
  #position: number;
  /** The file's size now (grown by whole steps while writing). */
  #size: number;
  #window: Mapping | undefined;
  #windowStart = 0;
  #windowBytes: Uint8Array | undefined;
  #fileClosed = false;

  /** @internal Use `createWriteStream()`. */
  constructor(path: string, options: CheckedWriteOptions) {
    super({ highWaterMark: 1024 * 1024, decodeStrings: true });
    this.path = path;
    this.#options = options;
    this.#position = options.start;
    this.#size = 0;
    try {
      this.fd = openSync(path, openFlags[options.flags], options.mode);
      this.#initialSize = fstatSync(this.fd).size;
    } catch (error) {
      // As fs.createWriteStream: a file that cannot be opened (EACCES, ENOENT with 'r+', EISDIR) is a stream error.
      if (this.fd !== -1) closeSync(this.fd);
      this.#fileClosed = true;
      this.destroy(fromNodeError(error, path) as Error);
      return;
    }
    this.#size = this.#initialSize;
    if (options.flags === 'a') this.#position = this.#initialSize;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.#copyIn(chunk);
      callback();
    } catch (error) {
      callback(fromNodeError(error, this.path) as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.#finish();
      if (this.#options.fsync) fsyncSync(this.fd);
      this.#closeFile();
      callback();
    } catch (error) {
      callback(fromNodeError(error, this.path) as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#fileClosed) {
      callback(error);
      return;
    }
    try {
      this.#finish();
    } catch {
      // The first error is the one to report; the file keeps what reached it.
    }
    try {
      this.#closeFile();
    } catch {
      // Same: closing a descriptor that failed is not news.
    }
    callback(error);
  }

  /** Copies `chunk` into the windows, mapping (and growing the file for) new ones as needed. */
  #copyIn(chunk: Uint8Array): void {
    let done = 0;
    while (done < chunk.length) {
      const bytes = this.#windowAt(this.#position);
      const inWindow = this.#position - this.#windowStart;
      const count = Math.min(chunk.length - done, bytes.length - inWindow);
      bytes.set(chunk.subarray(done, done + count), inWindow);
      done += count;
      this.#position += count;
      this.bytesWritten += count;
    }
    const fault = this.#window?.faults()[0];
    if (fault !== undefined) {
      throw pageFaultError(this.path, fault.type, true);
    }
  }

  /** The window holding `position`, growing the file by one step first when needed. */
  #windowAt(position: number): Uint8Array {
    const growBy = this.#options.growBy;
    const windowStart = position - (position % growBy);
    if (this.#windowBytes !== undefined && windowStart === this.#windowStart) return this.#windowBytes;
    this.#retireWindow();
    const windowEnd = windowStart + growBy;
    if (this.#size < windowEnd) {
      ftruncateSync(this.fd, windowEnd);
      this.#size = windowEnd;
    }
    const backend = this.#options.backend;
    const mapping = map({ fd: this.fd, offset: windowStart, length: growBy, protection: 'read-write', sharing: 'shared', ...(backend === undefined ? {} : { backend }), ...(this.#options.faultGuard === undefined ? {} : { faultGuard: this.#options.faultGuard }) });
    this.#window = mapping;
    this.#windowStart = windowStart;
    const bytes = mapping.view(0, growBy);
    this.#windowBytes = bytes;
    return bytes;
  }

  /** Unmaps the current window; backends whose writes are not the page cache itself write it back first. */
  #retireWindow(): void {
    const mapping = this.#window;
    this.#window = undefined;
    this.#windowBytes = undefined;
    if (mapping === undefined || mapping.closed) return;
    try {
      if (!mapping.backend.capabilities.coherentVisibility) mapping.sync();
    } finally {
      mapping.close();
    }
  }

  /** Writes back the last window and cuts the file to what was written (never below its old size). */
  #finish(): void {
    try {
      this.#retireWindow();
    } finally {
      const finalSize = this.bytesWritten === 0 ? this.#initialSize : Math.max(this.#initialSize, this.#position);
      if (this.#size !== finalSize) ftruncateSync(this.fd, finalSize);
      this.#size = finalSize;
    }
  }

  #closeFile(): void {
    if (this.#fileClosed) return;
    this.#fileClosed = true;
    closeSync(this.fd);
  }
}

/**
 * A `Writable` that writes into a shared mapping of the file, growing it `growBy` bytes at a
 * time. When the stream finishes or is destroyed the file is cut to exactly what was written
 * (or its old size, if that was longer); `final` `fsync`s unless `fsync: false`.
 *
 * @param path - the file
 * @param options - `flags` (default `'w'`), `start`, `mode`, `growBy` (default 32 MiB), `fsync` (default `true`), `backend`
 *
 * # Errors
 * Thrown: `TypeError`/`RangeError` naming a bad argument. Emitted as `'error'` (as
 * `fs.createWriteStream` does): `MmapError` `ERR_MMAP_SYSTEM` with `errno` when the file cannot
 * be opened (`EACCES`, `ENOENT` with `'r+'`, `EISDIR`) or growing, mapping or syncing fails
 * (`EFBIG`, `ENOSPC`, `EBADF`; `EIO` when the fault guard saw a page that could not be
 * stored). The bytes written before the error are in the file (on fallback-fs, those of
 * earlier steps: see the README).
 *
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * await pipeline(source, createWriteStream('copy.bin'));
 * ```
 */
export function createWriteStream(path: string | URL, options?: WriteOptions): MappedWriteStream {
  const checkedPath = validatePath(path);
  const checked = validateWriteOptions(options);
  return new MappedWriteStream(typeof checkedPath === 'string' ? checkedPath : fileURLToPath(checkedPath), checked);
}
