/**
 * Shared memory as files in `/dev/shm` (a tmpfs on Linux): what `shm_open` and
 * `memfd_create` give a native backend, reached through plain `fs` calls. Only Linux has
 * that directory; elsewhere both kinds are unsupported and the capabilities say so.
 *
 * Like any file mapped by this backend, shared memory is only coherent between processes
 * through `sync()` by the writer and `refresh()` by the reader.
 *
 * @packageDocumentation
 */

import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { systemError, unsupported, type NamedSharedMemoryFlags } from '@mmapkit/core';

/** Where shared memory files live, or `undefined` where there is no such directory. */
export const sharedMemoryDirectory: string | undefined = process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : undefined;

/**
 * Creates anonymous shared memory of `length` bytes: a file in `/dev/shm` created with
 * `O_CREAT | O_EXCL` and mode `0o600`, unlinked at once (so it has no name and disappears
 * with its last descriptor, like a `memfd`), then sized with `ftruncate`.
 *
 * @param name - a label for the file's short-lived name (any characters; unsafe ones are replaced)
 * @returns a read-write file descriptor the caller owns
 */
export function createAnonymousSharedMemory(name: string, length: number): number {
  const directory = requireDirectory('anonymous shared memory');
  const label = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  for (let attempt = 0; ; attempt++) {
    const path = `${directory}/mmapkit-${label}-${process.pid}-${randomBytes(8).toString('hex')}`;
    let fd: number;
    try {
      fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && attempt < 8) continue;
      throw nodeSystemError('memfd_create', error, path);
    }
    try {
      unlinkSync(path);
      ftruncateSync(fd, length);
      return fd;
    } catch (error) {
      closeSync(fd);
      try {
        unlinkSync(path);
      } catch {
        // Already unlinked: the first error is the one to report.
      }
      throw nodeSystemError('memfd_create', error, path);
    }
  }
}

/**
 * `shm_open(name, flags, mode)`: opens `/dev/shm<name>`.
 *
 * @returns a file descriptor the caller owns
 */
export function openNamedSharedMemory(name: string, flags: NamedSharedMemoryFlags, mode: number): number {
  const directory = requireDirectory('named shared memory');
  const path = `${directory}${name}`;
  const openFlags =
    (flags.readWrite ? fsConstants.O_RDWR : fsConstants.O_RDONLY) |
    (flags.create ? fsConstants.O_CREAT : 0) |
    (flags.create && flags.exclusive ? fsConstants.O_EXCL : 0);
  try {
    return openSync(path, openFlags, mode);
  } catch (error) {
    throw nodeSystemError('shm_open', error, name);
  }
}

/** `shm_unlink(name)`: removes `/dev/shm<name>`. */
export function unlinkNamedSharedMemory(name: string): void {
  const directory = requireDirectory('named shared memory');
  try {
    unlinkSync(`${directory}${name}`);
  } catch (error) {
    throw nodeSystemError('shm_unlink', error, name);
  }
}

function requireDirectory(what: string): string {
  if (sharedMemoryDirectory === undefined) {
    throw unsupported('fallback-fs', what, 'outside Linux (it needs /dev/shm)');
  }
  return sharedMemoryDirectory;
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A Node `fs` error as `ERR_MMAP_SYSTEM` under the name of the call it stands for. */
function nodeSystemError(syscall: string, error: unknown, path: string): unknown {
  const code = errorCode(error);
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return error;
  const result = systemError(syscall, code, error instanceof Error ? error.message : String(error), path);
  Object.defineProperty(result, 'cause', { value: error, enumerable: false, configurable: true });
  return result;
}
