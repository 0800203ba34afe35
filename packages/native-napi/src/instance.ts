/** The backend of this process (or worker), over the addon loaded at import. */
import type { Backend } from '@mmapkit/core';
import { addon, addonOrigin } from './addon.js';
import { createNativeBackend } from './backend.js';
import { forgetGuardCheck } from './guard.js';

/** The native-napi backend. Importing this package throws `ERR_MMAP_BACKEND_UNAVAILABLE` when the addon is missing. */
export const backend: Backend = createNativeBackend(addon, `${addonOrigin.kind}: ${addonOrigin.path}`);

/**
 * Makes the addon report `napi_no_external_buffers_allowed` when it creates a buffer, as
 * Electron's V8 memory cage does, so the refusal path can be tested on a normal Node:
 * `probe()` and `view()` then throw `ERR_MMAP_EXTERNAL_BUFFERS_REFUSED`. Process-wide
 * (worker threads see it too). For tests only.
 */
export function setExternalBuffersRefusedForTesting(refused: boolean): void {
  addon.setExternalBuffersRefusedForTesting(refused);
}

/**
 * How many regions of this thread's environment are still mapped (or waiting for their
 * last buffer to be collected). For tests of finalizers and cleanup.
 */
export function liveRegionsForTesting(): number {
  return addon.liveRegions();
}

/**
 * Restores the SIGBUS/SIGSEGV handlers that were there before the fault guard (process-wide).
 * The next guarded `map()` installs it again. For benchmarks and tests only.
 */
export function uninstallFaultGuardForTesting(): void {
  addon.guardUninstallForTesting();
  forgetGuardCheck();
}

/**
 * Touches a page that no mapping owns, as a real bug elsewhere would: the guard must pass
 * the fault on, so the process dies of SIGSEGV. For tests of the guard's chaining only.
 */
export function faultOutsideMappingsForTesting(): void {
  addon.faultOutsideForTesting();
}
