import { createRequire } from 'node:module';
import { unavailable } from '@mmapkit/core';

/** The koffi module's API. */
export type Koffi = typeof import('koffi');

/** A foreign function bound by koffi. */
export type NativeFunction = ReturnType<ReturnType<Koffi['load']>['func']>;

/** Our share of koffi's asynchronous calls (it allows 256 in the whole process by default). */
export const concurrentAsyncCalls = 32;

/** koffi.view() aborts the process above 4 GiB on Node 20 (not verified larger elsewhere). */
export const koffiViewLimit = 2 ** 32;

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
    throw unavailable('ffi-koffi', `koffi cannot load${typeof code === 'string' ? ` (${code})` : ''}: ${reason}`, error);
  }
}
