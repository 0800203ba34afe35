/**
 * The `fallback-fs` backend object: its capabilities, and `map()` turning a checked
 * request into an {@link FsMapping}.
 *
 * @packageDocumentation
 */

import { allocationGranularity, largestRuntimeView, pageSize, type Backend, type Capabilities, type MapRequest } from '@mmapkit/core';
import { checkDescriptor, releaseAccess, type FileAccess } from './descriptor.js';
import { FsMapping } from './mapping.js';
import { createAnonymousSharedMemory, openNamedSharedMemory, sharedMemoryDirectory, unlinkNamedSharedMemory } from './shared-memory.js';

/**
 * What the fs backend can do, stated honestly: views are copies of the file in ordinary
 * memory, so nothing is coherent without `sync()`/`refresh()`, protection is bookkeeping,
 * and `Atomics` are atomic inside this process only.
 */
export const capabilities: Capabilities = Object.freeze({
  zeroCopy: false,
  coherentVisibility: false,
  crossProcessAtomics: false,
  enforcedProtection: false,
  privateMappings: true,
  advice: Object.freeze(['normal', 'random', 'sequential', 'willneed', 'dontneed'] as const),
  protections: Object.freeze(['none', 'read', 'read-write'] as const),
  residency: true,
  lock: false,
  populate: true,
  noReserve: true,
  hugePages: false,
  syncInvalidate: false,
  anonymousSharedMemory: sharedMemoryDirectory !== undefined,
  namedSharedMemory: sharedMemoryDirectory !== undefined,
  detachOnClose: true,
  staleViews: 'detached',
  retainsFileDescriptor: true,
  faultGuard: false,
  detectsTruncation: true,
  largestView: largestRuntimeView,
});

function map(request: MapRequest): FsMapping {
  let file: FileAccess | undefined;
  if (request.fd !== undefined) {
    const needsWrite = request.sharing === 'shared' && request.protection === 'read-write';
    file = checkDescriptor(request.fd, request.path, needsWrite);
  }
  try {
    return new FsMapping({
      file,
      ownsFd: request.ownsFd,
      fileOffset: request.offset,
      length: request.length,
      protection: request.protection,
      sharing: request.sharing,
      pageSize,
      populate: request.populate,
    });
  } catch (error) {
    // The caller closes the request's descriptor when map() throws; close only ours.
    if (file !== undefined) releaseAccess(file);
    throw error;
  }
}

/**
 * The pure-`fs` mmapkit backend: runs anywhere Node's `fs` does, with no native code.
 *
 * @example
 * ```ts
 * import { mapFile } from '@mmapkit/core';
 * import { backend } from '@mmapkit/fallback-fs';
 * using mapping = mapFile(backend, { path: 'data.bin', protection: 'read-write' });
 * mapping.bytes[0] = 1;
 * mapping.sync();
 * ```
 */
export const backend: Backend = Object.freeze({
  name: 'fallback-fs',
  moduleSpecifier: '@mmapkit/fallback-fs',
  capabilities,
  pageSize,
  allocationGranularity,
  map,
  createAnonymousSharedMemory,
  openNamedSharedMemory,
  unlinkNamedSharedMemory,
  probe(): void {
    // Plain fs calls and ordinary ArrayBuffers work wherever Node runs.
  },
});
