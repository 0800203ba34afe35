/**
 * Positioned reads and writes between a file descriptor and a region of a large
 * `ArrayBuffer`. One `Uint8Array` cannot cover more than 4 GiB on Node 20, so every
 * transfer is cut into chunks of at most {@link transferChunkLength} bytes, each through
 * its own short-lived view.
 *
 * @packageDocumentation
 */

import { fdatasync, fdatasyncSync, read, readSync, write, writeSync } from 'node:fs';
import { fromNodeError } from '@mmapkit/core';

/** The most bytes moved by one `read`/`write` system call. */
export const transferChunkLength = 64 * 1024 * 1024;

/**
 * Reads file bytes `[position, position + length)` into `buffer` at `bufferOffset`.
 * Bytes past the end of the file are set to zero, as a kernel mapping shows them.
 *
 * @returns the number of bytes that came from the file (the rest are zeros)
 * @throws `MmapError` (`ERR_MMAP_SYSTEM`) when a read fails
 */
export function readRegion(fd: number, buffer: ArrayBuffer, bufferOffset: number, length: number, position: number, path: string | undefined): number {
  let done = 0;
  while (done < length) {
    const chunkLength = Math.min(transferChunkLength, length - done);
    const target = new Uint8Array(buffer, bufferOffset + done, chunkLength);
    let chunkDone = 0;
    while (chunkDone < chunkLength) {
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, target, chunkDone, chunkLength - chunkDone, position + done + chunkDone);
      } catch (error) {
        throw fromNodeError(error, path);
      }
      if (bytesRead === 0) {
        zeroRegion(buffer, bufferOffset + done + chunkDone, length - done - chunkDone);
        return done + chunkDone;
      }
      chunkDone += bytesRead;
    }
    done += chunkLength;
  }
  return done;
}

/**
 * Writes `buffer` bytes `[bufferOffset, bufferOffset + length)` to the file at `position`.
 *
 * @throws `MmapError` (`ERR_MMAP_SYSTEM`) when a write fails
 */
export function writeRegion(fd: number, buffer: ArrayBuffer, bufferOffset: number, length: number, position: number, path: string | undefined): void {
  let done = 0;
  while (done < length) {
    const chunkLength = Math.min(transferChunkLength, length - done);
    const source = new Uint8Array(buffer, bufferOffset + done, chunkLength);
    let chunkDone = 0;
    while (chunkDone < chunkLength) {
      try {
        chunkDone += writeSync(fd, source, chunkDone, chunkLength - chunkDone, position + done + chunkDone);
      } catch (error) {
        throw fromNodeError(error, path);
      }
    }
    done += chunkLength;
  }
}

/**
 * Reads up to `target.byteLength` file bytes at `position` off the main thread (libuv's
 * thread pool). Bytes past the end of the file are set to zero.
 *
 * @returns the number of bytes that came from the file (the rest are zeros)
 */
export async function readIntoAsync(fd: number, target: Uint8Array, position: number, path: string | undefined): Promise<number> {
  let done = 0;
  while (done < target.byteLength) {
    const bytesRead = await new Promise<number>((resolve, reject) => {
      read(fd, target, done, target.byteLength - done, position + done, (error, count) => {
        if (error === null) resolve(count);
        else reject(fromNodeError(error, path));
      });
    });
    if (bytesRead === 0) {
      target.fill(0, done);
      return done;
    }
    done += bytesRead;
  }
  return done;
}

/** Writes all of `source` to the file at `position` off the main thread. */
export async function writeFromAsync(fd: number, source: Uint8Array, position: number, path: string | undefined): Promise<void> {
  let done = 0;
  while (done < source.byteLength) {
    done += await new Promise<number>((resolve, reject) => {
      write(fd, source, done, source.byteLength - done, position + done, (error, count) => {
        if (error === null) resolve(count);
        else reject(fromNodeError(error, path));
      });
    });
  }
}

/** `fdatasync`, reported as `MmapError`. */
export function flushFile(fd: number, path: string | undefined): void {
  try {
    fdatasyncSync(fd);
  } catch (error) {
    throw fromNodeError(error, path);
  }
}

/** `fdatasync` off the main thread. */
export function flushFileAsync(fd: number, path: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (error) => {
      if (error === null) resolve();
      else reject(fromNodeError(error, path));
    });
  });
}

/** Sets `buffer` bytes `[offset, offset + length)` to zero. */
export function zeroRegion(buffer: ArrayBuffer, offset: number, length: number): void {
  for (let done = 0; done < length; done += transferChunkLength) {
    new Uint8Array(buffer, offset + done, Math.min(transferChunkLength, length - done)).fill(0);
  }
}

/** Copies `length` bytes at `offset` from one buffer to the same offset of another. */
export function copyRegion(from: ArrayBuffer, to: ArrayBuffer, offset: number, length: number): void {
  for (let done = 0; done < length; done += transferChunkLength) {
    const chunkLength = Math.min(transferChunkLength, length - done);
    new Uint8Array(to, offset + done, chunkLength).set(new Uint8Array(from, offset + done, chunkLength));
  }
}
