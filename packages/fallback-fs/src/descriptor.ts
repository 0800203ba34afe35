/**
 * What a file descriptor allows, checked when mapping so that a mapping the kernel would
 * refuse fails at once with the kernel's error (`EACCES` from `mmap`), not at the first
 * `sync()`.
 *
 * @packageDocumentation
 */

import { closeSync, constants as fsConstants, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { fromNodeError, systemError } from '@mmapkit/core';

/** A descriptor the mapping reads from and, when allowed, writes to. */
export interface FileAccess {
  /** The descriptor given in the request: every read goes through it. */
  readonly fd: number;
  /**
   * The descriptor writes go through: `fd` itself, or a second descriptor of the same file
   * opened without `O_APPEND` when `fd` has it (positioned writes on an `O_APPEND`
   * descriptor land at the end of the file on Linux). `undefined` when `fd` is not writable.
   */
  readonly writeFd: number | undefined;
  /** Whether this mapping opened `writeFd` itself (and must close it). */
  readonly ownsWriteFd: boolean;
  /** The path, for error messages. */
  readonly path: string | undefined;
}

const scratch = new Uint8Array(1);

/**
 * Checks that `fd` is readable (any mapping of a file needs that) and finds out whether
 * it is writable.
 *
 * @param needsWrite - the mapping is shared and read-write: fail unless `fd` is writable
 * @throws `MmapError` `ERR_MMAP_SYSTEM` with errno `EACCES` and syscall `'mmap'` when the
 * descriptor's mode does not allow the mapping, like the kernel
 */
export function checkDescriptor(fd: number, path: string | undefined, needsWrite: boolean): FileAccess {
  try {
    // Node returns early for a zero-length read without asking the kernel, so read one byte.
    readSync(fd, scratch, 0, 1, 0);
  } catch (error) {
    throw accessError(error, path, 'the file descriptor is not open for reading');
  }
  let writable = true;
  try {
    writeSync(fd, scratch, 0, 0, 0);
  } catch (error) {
    if (!isBadDescriptor(error)) throw accessError(error, path, 'the file descriptor cannot be written');
    writable = false;
  }
  if (needsWrite && !writable) {
    throw systemError('mmap', 'EACCES', 'a shared read-write mapping needs a file descriptor open for reading and writing', path);
  }
  if (!writable || !hasAppendFlag(fd)) return { fd, writeFd: writable ? fd : undefined, ownsWriteFd: false, path };
  try {
    const writeFd = openSync(`/proc/self/fd/${fd}`, fsConstants.O_WRONLY);
    return { fd, writeFd, ownsWriteFd: true, path };
  } catch (error) {
    throw fromNodeError(error, path);
  }
}

/** Closes what `checkDescriptor` opened. */
export function releaseAccess(access: FileAccess): void {
  if (access.ownsWriteFd && access.writeFd !== undefined) closeSync(access.writeFd);
}

/** `O_APPEND` on Linux, read from `/proc/self/fdinfo`; false where that is not available. */
function hasAppendFlag(fd: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const match = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    if (match?.[1] === undefined) return false;
    return (Number.parseInt(match[1], 8) & fsConstants.O_APPEND) !== 0;
  } catch {
    return false;
  }
}

function isBadDescriptor(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBADF';
}

function accessError(error: unknown, path: string | undefined, detail: string): unknown {
  if (isBadDescriptor(error)) return systemError('mmap', 'EACCES', detail, path);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
    return systemError('mmap', code === 'ESPIPE' ? 'ENODEV' : code, `${detail}: ${String((error as Error).message)}`, path);
  }
  return fromNodeError(error, path);
}
