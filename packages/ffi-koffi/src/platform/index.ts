import { unavailable } from '@mmapkit/core';
import type { PlatformTable } from './api.js';
import { darwin } from './darwin.js';
import { linux } from './linux.js';

export type { PlatformTable } from './api.js';
export { win32, windowsErrors } from './win32.js';

// Windows (kernel32: CreateFileMappingW/MapViewOfFile/...) has a different model: its table
// is ./win32.ts, used by src/kernel32.ts and src/win32-*.ts; createBackend() picks it.
const tables: Partial<Record<NodeJS.Platform, PlatformTable>> = { linux, darwin };

/**
 * The table of the OS this process runs on, chosen once.
 *
 * # Errors
 * `ERR_MMAP_BACKEND_UNAVAILABLE` on an OS or processor architecture without a table.
 */
export function currentPlatform(): PlatformTable {
  const table = tables[process.platform];
  if (table === undefined) {
    throw unavailable('ffi-koffi', `it has no constant table for ${process.platform} yet.`);
  }
  if (!table.architectures.includes(process.arch)) {
    throw unavailable('ffi-koffi', `its ${process.platform} constants are for ${table.architectures.join(', ')}, not ${process.arch}.`);
  }
  return table;
}
