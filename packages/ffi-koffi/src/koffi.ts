import { createRequire } from 'node:module';
import { MmapError } from '@mmapkit/core';

/** The koffi module's API. */
export type Koffi = typeof import('koffi');

/**
 * Loads koffi, whose native binary cannot load everywhere (`node --no-addons` refuses it
 * with `ERR_DLOPEN_DISABLED`; a platform without a prebuilt binary has none).
 *
 * # Errors
 * `ERR_MMAP_BACKEND_UNAVAILABLE` with the reason, the original error as `cause`.
 */
export function loadKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MmapError(
      'ERR_MMAP_BACKEND_UNAVAILABLE',
      `The ffi-koffi backend cannot load koffi here${typeof code === 'string' ? ` (${code})` : ''}: ${reason}`,
      { cause: error },
    );
  }
}
