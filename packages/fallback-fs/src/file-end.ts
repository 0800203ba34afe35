/**
 * Watching the end of a mapped file: another process may truncate it while it is mapped.
 * A kernel mapping then faults at the first access past the new end (the native backend's
 * guard reports `ERR_MMAP_TRUNCATED`); this backend has no fault to see, so it compares the
 * file's size with what it mapped whenever it is about to write back, and whenever a read
 * from the file comes back short. Once a truncation is seen, the bytes past that end are
 * never written again, even if the file grows back: writing them would resurrect data the
 * truncation removed, with stale bytes.
 *
 * @packageDocumentation
 */

import { fstatSync, type Stats } from 'node:fs';
import { fromNodeError, MmapError, type FaultEvent } from '@mmapkit/core';

/** The end of the file behind one mapped region, in region offsets. */
export class FileEnd {
  readonly #fd: number;
  readonly #path: string | undefined;
  readonly #fileOffset: number;
  /**
   * Region bytes `[0, backedEnd)` were inside the file when mapping; `undefined` for what
   * is not a regular file (a device, a pipe), whose size says nothing.
   */
  readonly #backedEnd: number | undefined;
  #truncation: FaultEvent | undefined;

  constructor(fd: number, path: string | undefined, fileOffset: number, regionLength: number) {
    this.#fd = fd;
    this.#path = path;
    this.#fileOffset = fileOffset;
    const status = this.#status();
    this.#backedEnd = status.isFile() ? Math.max(0, Math.min(regionLength, status.size - fileOffset)) : undefined;
  }

  /** The truncation seen so far (`offset`: the new end, in region bytes), or `undefined`. */
  get truncation(): FaultEvent | undefined {
    return this.#truncation;
  }

  /**
   * Region bytes `[0, result)` may be written back: the file's current end, and never past
   * a truncation seen before. Records a new truncation (see {@link truncation}).
   */
  writableEnd(): number {
    const status = this.#status();
    const currentEnd = Math.max(0, status.size - this.#fileOffset);
    if (this.#backedEnd === undefined) return currentEnd;
    if (currentEnd < this.#backedEnd) this.#record(currentEnd);
    return Math.min(currentEnd, this.#truncation?.offset ?? Number.POSITIVE_INFINITY);
  }

  /**
   * A read of region bytes `[start, start + length)` gave only `bytesRead` bytes: when the
   * file was longer than that when mapped, it was truncated. Records it and returns true.
   */
  readWasCutShort(start: number, length: number, bytesRead: number): boolean {
    if (this.#backedEnd === undefined || bytesRead >= Math.min(length, this.#backedEnd - start)) return false;
    this.writableEnd();
    return this.#truncation !== undefined;
  }

  /** The error of the call that found (or runs after) the truncation. */
  error(call: string): MmapError {
    const newEnd = this.#fileOffset + (this.#truncation?.offset ?? 0);
    const file = this.#path === undefined ? 'The mapped file' : `The file '${this.#path}'`;
    return new MmapError(
      'ERR_MMAP_TRUNCATED',
      `${file} was truncated to ${newEnd} bytes by someone else while mapped (found by ${call}). Bytes past the new end now read as 0 and are never written back, even if the file grows again; changes below it are kept. Close the mapping and map the file again.`,
      this.#path === undefined ? {} : { path: this.#path },
    );
  }

  #record(newEnd: number): void {
    if (this.#truncation !== undefined && this.#truncation.offset <= newEnd) return;
    this.#truncation = Object.freeze({ type: 'truncated', offset: newEnd, time: Date.now() });
  }

  #status(): Stats {
    try {
      return fstatSync(this.#fd);
    } catch (error) {
      throw fromNodeError(error, this.#path);
    }
  }
}
