/**
 * The errors of `@mmapkit/streams`, in one place. A stream meets nothing that core does not
 * already name, so they are core's `MmapError`s with core's codes (`ERR_MMAP_TRUNCATED`,
 * `ERR_MMAP_SYSTEM`); argument mistakes are core's `MmapTypeError`/`MmapRangeError` (see
 * validate.ts). Every code is in the README.
 */
import { MmapError } from 'mmapkit';

/** The file shrank below what the stream still has to read: `ERR_MMAP_TRUNCATED`. */
export function truncatedError(path: string | undefined, size: number, needed: number): MmapError {
  const file = path === undefined ? 'the file' : `'${path}'`;
  return new MmapError(
    'ERR_MMAP_TRUNCATED',
    `${file} was truncated to ${size} bytes by someone else while being streamed; the stream needed bytes up to ${needed}.`,
    path === undefined ? {} : { path },
  );
}

/** The fault guard repaired an access that was not a truncation (an I/O error reading or storing a page): `ERR_MMAP_SYSTEM` `EIO`. */
export function pageFaultError(path: string | undefined, faultType: string, writing: boolean): MmapError {
  const file = path === undefined ? 'the mapping' : `'${path}'`;
  const what = writing ? `Writing ${file} failed: a page could not be stored (${faultType}; the disk may be full).` : `A page of ${file} could not be read (${faultType}).`;
  return new MmapError('ERR_MMAP_SYSTEM', what, { errno: 'EIO', syscall: 'page fault', ...(path === undefined ? {} : { path }) });
}
