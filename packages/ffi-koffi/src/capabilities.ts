import type { Capabilities } from '@mmapkit/core';
import type { CLibrary } from './libc.js';
import type { PlatformTable } from './platform/index.js';
import type { RuntimeFacts } from './runtime.js';

/** The backend's capabilities, from the platform table and what was found at load. */
export function describeCapabilities(platform: PlatformTable, libc: CLibrary, facts: RuntimeFacts): Capabilities {
  return Object.freeze({
    zeroCopy: true,
    coherentVisibility: true,
    crossProcessAtomics: true,
    enforcedProtection: true,
    privateMappings: true,
    advice: Object.freeze([...facts.advice]),
    protections: Object.freeze(['none', 'read', 'read-write', 'read-exec', 'read-write-exec'] as const),
    residency: true,
    lock: true,
    populate: platform.MAP_POPULATE !== undefined,
    noReserve: platform.MAP_NORESERVE !== undefined,
    hugePages: platform.MAP_HUGETLB !== undefined,
    syncInvalidate: platform.MS_INVALIDATE !== undefined,
    anonymousSharedMemory: libc.hasMemfd,
    namedSharedMemory: libc.hasNamedSharedMemory,
    detachOnClose: facts.canDetach,
    // Where views cannot be detached, close() puts private zero pages behind them.
    staleViews: facts.canDetach ? 'detached' : 'zeros',
    retainsFileDescriptor: false,
    faultGuard: false,
    // No guard: an access past a truncated file's end is a SIGBUS.
    detectsTruncation: false,
    largestView: facts.largestView,
  } satisfies Capabilities);
}
