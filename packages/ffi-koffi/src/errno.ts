import { constants as osConstants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { failureHint, systemError, type MmapError } from '@mmapkit/core';
import { windowsErrors } from './platform/win32.js';

/** errno number to symbolic name, from the running OS's own table (first name wins for aliases). */
const errnoNames = new Map<number, string>();
for (const [name, number] of Object.entries(osConstants.errno)) {
  if (!errnoNames.has(number)) errnoNames.set(number, name);
}

/** The symbolic name of an errno number, e.g. `'ENOMEM'`; `'E<number>'` for one the OS table lacks. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/**
 * A failed C library call as the same `MmapError` (`ERR_MMAP_SYSTEM`) the other backends
 * throw: `errno` symbolic, `syscall` the C function's name.
 *
 * @param errno - the errno number, read immediately after the failing call on its thread
 */
export function callError(syscall: string, errno: number, path?: string): MmapError {
  // libuv reports POSIX errors as -errno, so its table gives the OS's message for each.
  const description = getSystemErrorMap().get(-errno)?.[1] ?? 'the operating system refused';
  const name = errnoName(errno);
  return systemError(syscall, name, `${description}${failureHint(syscall, name)}`, path);
}

/**
 * A failed kernel32 call as the same `MmapError` (`ERR_MMAP_SYSTEM`) a POSIX failure gives:
 * `errno` is the POSIX name of the Windows error (`ERROR_FILE_NOT_FOUND` is `'ENOENT'`, see
 * `windowsErrors`), `syscall` the Windows function's name, and the message names the Windows
 * error and its number.
 *
 * @param code - `GetLastError()`, read immediately after the failing call on its thread
 */
export function windowsCallError(syscall: string, code: number, path?: string): MmapError {
  const [name, errno] = windowsErrors.get(code) ?? [`Windows error ${code}`, 'UNKNOWN'];
  return systemError(syscall, errno, `${name} (${code})${failureHint(syscall, errno)}`, path);
}
