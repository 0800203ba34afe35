/**
 * The failures this package phrases itself, through core's named constructors: a constant or a
 * function this operating system lacks, and a runtime that refuses external buffers.
 */
import { externalBuffersRefused, unsupported, type MmapError } from '@mmapkit/core';

/**
 * `value`, or the `ERR_MMAP_UNSUPPORTED` of a constant or function this operating system (or its
 * C library, or kernel32) does not have: the one "value or unsupported" of this package.
 */
export function present<T>(value: T | undefined, feature: string): T {
  if (value === undefined) throw unsupported('ffi-koffi', `${feature} on ${process.platform}`);
  return value;
}

/** `ERR_MMAP_EXTERNAL_BUFFERS_REFUSED` for the error koffi gave when asked for a view. */
export function refusedBy(error: unknown): MmapError {
  const reason = error instanceof Error ? error.message : String(error);
  return externalBuffersRefused(`koffi cannot view mapped memory: ${reason}`, { cause: error });
}
