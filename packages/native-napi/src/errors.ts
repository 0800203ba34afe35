/**
 * The addon reports failures as plain data (`NativeFailure`); this is the one place where
 * they become `MmapError`s.
 */
import { MmapError, systemError } from '@mmapkit/core';
import type { NativeFailure } from './addon.js';

/** True when an addon call returned a failure instead of its result. */
export function isNativeFailure(value: unknown): value is NativeFailure {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && typeof (value as { syscall?: unknown }).syscall === 'string';
}

/** The `MmapError` for a failure: `ERR_MMAP_SYSTEM` with errno/syscall/path, or its own code. */
export function errorFromFailure(failure: NativeFailure, path: string | undefined, hint = ''): MmapError {
  if (failure.code === 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED') {
    return new MmapError(
      'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED',
      `The runtime refuses external ArrayBuffers (${failure.syscall}: ${failure.message}); mapped memory cannot be shown to JavaScript here. Use another backend (fallback-fs works in V8 memory cages).`,
      { syscall: failure.syscall, ...(path === undefined ? {} : { path }) },
    );
  }
  return systemError(failure.syscall, failure.errno ?? 'EIO', `${failure.message}${hint}`, path);
}

/** `result`, or throws the `MmapError` of a failure. */
export function check<T>(result: T | NativeFailure, path: string | undefined, hint?: (failure: NativeFailure) => string): T {
  if (isNativeFailure(result)) throw errorFromFailure(result, path, hint?.(result));
  return result;
}
