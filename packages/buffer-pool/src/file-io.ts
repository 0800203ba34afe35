/**
 * The pool's file: page reads (synchronous, or on the libuv thread pool straight into the
 * frame), page writes batched in offset order with one `pwritev` per run of adjacent pages,
 * and `fsync`. The last page may be partial: only the bytes inside the file are read or
 * written, so the file never changes size.
 */

import { closeSync, constants, fsyncSync, fstatSync, openSync, read, readSync, writeSync, writevSync } from 'node:fs';
import { fromNodeError } from 'mmapkit';

/** An open data file divided into pages. */
export class PoolFile {
  readonly path: string;
  readonly fd: number;
  /** The descriptor pages are read through: `fd`, or a second one opened with `O_DIRECT`. */
  readonly readFd: number;
  readonly size: number;
  readonly pageSize: number;
  readonly pageCount: number;

  private constructor(path: string, fd: number, readFd: number, size: number, pageSize: number) {
    this.path = path;
    this.fd = fd;
    this.readFd = readFd;
    this.size = size;
    this.pageSize = pageSize;
    this.pageCount = Math.ceil(size / pageSize);
  }

  /**
   * Opens `path` (read-write unless `readOnly`). With `directIo`, pages are read through a
   * second descriptor opened with `O_DIRECT` (frames are page-aligned), so they do not also
   * fill the kernel's page cache; writes stay buffered (the kernel keeps the two coherent).
   */
  static open(path: string, pageSize: number, readOnly: boolean, directIo = false): PoolFile {
    let fd: number;
    try {
      fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (error) {
      throw fromNodeError(error, path);
    }
    let readFd = fd;
    try {
      if (directIo) readFd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
      return new PoolFile(path, fd, readFd, fstatSync(fd).size, pageSize);
    } catch (error) {
      closeSync(fd);
      if (readFd !== fd) closeSync(readFd);
      throw fromNodeError(error, path);
    }
  }

  /** Bytes asked for when reading `page`: whole pages through `O_DIRECT` (a short read ends the file). */
  #readLengthOf(page: number): number {
    return this.readFd === this.fd ? this.lengthOf(page) : this.pageSize;
  }

  /** Bytes of `page` inside the file (`pageSize`, less for a partial last page). */
  lengthOf(page: number): number {
    return Math.min(this.pageSize, this.size - page * this.pageSize);
  }

  /** Reads `page` into `frame` (blocking this thread). */
  readPage(page: number, frame: Uint8Array): void {
    const length = this.lengthOf(page);
    const asked = this.#readLengthOf(page);
    let done = 0;
    try {
      while (done < length) {
        const count = readSync(this.readFd, frame, done, asked - done, page * this.pageSize + done);
        if (count === 0) break; // the file was truncated behind our back: the rest stays zero
        done += count;
      }
    } catch (error) {
      throw fromNodeError(error, this.path);
    }
  }

  /** Reads `page` into `frame` on the libuv thread pool (zero copy: the kernel writes into the frame). */
  async readPageAsync(page: number, frame: Uint8Array): Promise<void> {
    const length = this.lengthOf(page);
    const asked = this.#readLengthOf(page);
    let done = 0;
    while (done < length) {
      const count = await new Promise<number>((resolve, reject) => {
        read(this.readFd, frame, done, asked - done, page * this.pageSize + done, (error, bytesRead) => {
          if (error) reject(fromNodeError(error, this.path));
          else resolve(bytesRead);
        });
      });
      if (count === 0) break;
      done += count;
    }
  }

  /**
   * Writes `pages` (sorted ascending) from their frames: one `pwritev` per run of adjacent
   * pages, in offset order.
   */
  writePages(pages: readonly number[], frameOf: (page: number) => Uint8Array): void {
    let runStart = 0;
    try {
      while (runStart < pages.length) {
        let runEnd = runStart + 1;
        while (runEnd < pages.length && pages[runEnd] === (pages[runEnd - 1] ?? 0) + 1 && runEnd - runStart < 256) runEnd++;
        this.#writeRun(pages.slice(runStart, runEnd), frameOf);
        runStart = runEnd;
      }
    } catch (error) {
      throw fromNodeError(error, this.path);
    }
  }

  #writeRun(run: readonly number[], frameOf: (page: number) => Uint8Array): void {
    const first = run[0] ?? 0;
    const buffers = run.map((page) => frameOf(page).subarray(0, this.lengthOf(page)));
    const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
    const written = writevSync(this.fd, buffers, first * this.pageSize);
    if (written === total) return;
    // A short write (rare: a signal, a full disk): finish page by page from where it stopped.
    let position = first * this.pageSize + written;
    for (const [index, buffer] of buffers.entries()) {
      const pageStart = ((run[index] ?? 0) - first) * this.pageSize + first * this.pageSize;
      const pageEnd = pageStart + buffer.byteLength;
      while (position < pageEnd) {
        position += writeSync(this.fd, buffer, position - pageStart, pageEnd - position, position);
      }
    }
  }

  /** `fsync`: everything written so far is on the disk. */
  sync(): void {
    try {
      fsyncSync(this.fd);
    } catch (error) {
      throw fromNodeError(error, this.path);
    }
  }

  close(): void {
    if (this.readFd !== this.fd) closeSync(this.readFd);
    closeSync(this.fd);
  }
}
