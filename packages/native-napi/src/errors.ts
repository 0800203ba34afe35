/**
 * The addon reports failures as plain data (`NativeFailure`); this is the one place where
 * they become `MmapError`s.
 */
import { externalBuffersRefused, systemError, type MmapError } from '@mmapkit/core';
import type { NativeFailure } from './addon.js';

/** True when an addon call returned a failure instead of its result. */
export function isNativeFailure(value: unknown): value is NativeFailure {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && typeof (value as { syscall?: unknown }).syscall === 'string';
}

/** The `MmapError` for a failure: `ERR_MMAP_SYSTEM` with errno/syscall/path, or its own code. */
export function errorFromFailure(failure: NativeFailure, path: string | undefined, hint = ''): MmapError {
  if (failure.code === 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED') {
    return externalBuffersRefused(`${failure.syscall}: ${failure.message}`, { syscall: failure.syscall, path });
  }
  return systemError(failure.syscall, failure.errno ?? 'EIO', `${failure.message}${hint}`, path);
}

/** `result`, or throws the `MmapError` of a failure. */
export function check<T>(result: T | NativeFailure, path: string | undefined, hint?: (failure: NativeFailure) => string): T {
  if (isNativeFailure(result)) throw errorFromFailure(result, path, hint?.(result));
  return result;
}
