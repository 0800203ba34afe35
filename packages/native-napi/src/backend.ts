/**
 * The native-napi `Backend`: capabilities, `map()` and shared memory, all on the addon.
 */
import { readFileSync } from 'node:fs';
import {
  advices,
  allocationGranularity,
  failureHint,
  largestRuntimeView,
  pageSize,
  protectionBits,
  protections,
  uncheckedAdvices,
  uncheckedProtections,
  unavailable,
  type Backend,
  type BackendMapping,
  type Capabilities,
  type MapRequest,
  type NamedSharedMemoryFlags,
} from '@mmapkit/core';
import type { NativeAddon, NativeFailure } from './addon.js';
import { check } from './errors.js';
import { ensureGuard } from './guard.js';
import { NativeMapping } from './mapping.js';

/**
 * What this backend does on Linux. Every `Advice`/`UncheckedAdvice` value is passed to
 * `madvise`; a kernel too old for one (`populate-*` before 5.14, `cold`/`pageout` before 5.4,
 * `free` before 4.5) answers `EINVAL`, reported as `ERR_MMAP_SYSTEM`.
 */
export const capabilities: Capabilities = Object.freeze({
  zeroCopy: true,
  coherentVisibility: true,
  crossProcessAtomics: true,
  enforcedProtection: true,
  privateMappings: true,
  advice: Object.freeze([...advices, ...uncheckedAdvices]),
  protections: Object.freeze([...protections, ...uncheckedProtections]),
  residency: true,
  lock: true,
  populate: true,
  noReserve: true,
  hugePages: true,
  syncInvalidate: true,
  anonymousSharedMemory: true,
  namedSharedMemory: true,
  detachOnClose: true,
  staleViews: 'detached',
  retainsFileDescriptor: false,
  faultGuard: true,
  // The fault guard (on by default) reports the first access past a truncated file's end.
  detectsTruncation: true,
  largestView: largestRuntimeView,
});

/** The size of a huge page (`Hugepagesize` in /proc/meminfo), 2 MiB when unknown. */
function hugePageSize(): number {
  try {
    const match = /^Hugepagesize:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or no /proc: use the x86-64 and arm64 default.
  }
  return 2 * 1024 * 1024;
}

function mapHint(request: MapRequest): (failure: NativeFailure) => string {
  return (failure) => failureHint(failure.syscall, failure.errno ?? 'EIO', request);
}

/** The backend over a loaded addon. */
export function createNativeBackend(addon: NativeAddon): Backend {
  const constants = addon.constants;
  const sharedMemoryFlags = addon.sharedMemoryFlags;
  // Lets every mapping tell "no new fault anywhere" without calling the addon.
  const epochBuffer = addon.faultEpoch();
  const faultEpoch = epochBuffer === undefined ? undefined : new Uint32Array(epochBuffer);

  const backend: Backend = {
    name: 'native-napi',
    moduleSpecifier: '@mmapkit/native-napi',
    capabilities,
    pageSize,
    allocationGranularity,

    map(request: MapRequest): BackendMapping {
      const { map: mapFlags } = constants;
      let flags = request.sharing === 'shared' ? mapFlags.shared : mapFlags.private;
      if (request.fd === undefined) flags |= mapFlags.anonymous;
      if (request.populate) flags |= mapFlags.populate;
      if (request.noReserve) flags |= mapFlags.noReserve;
      let mappedLength = request.length;
      if (request.hugePages) {
        flags |= mapFlags.hugeTlb;
        const huge = hugePageSize();
        mappedLength = Math.ceil(request.length / huge) * huge;
      }
      // Huge pages are not guarded: the guard repairs in base pages.
      const guarded = request.faultGuard && !request.hugePages;
      if (guarded) ensureGuard(addon);
      const handle = check(
        addon.map(request.fd ?? -1, request.offset, request.length, mappedLength, protectionBits(constants.protection, request.protection), flags, guarded),
        request.path,
        mapHint(request),
      );
      return new NativeMapping({
        addon,
        handle,
        length: request.length,
        largestView: capabilities.largestView,
        pageSize,
        path: request.path,
        faultEpoch: guarded ? faultEpoch : undefined,
        guarded,
      });
    },

    createAnonymousSharedMemory(name: string, length: number): number {
      return check(addon.createAnonymousSharedMemory(name, length), undefined);
    },

    openNamedSharedMemory(name: string, flags: NamedSharedMemoryFlags, mode: number): number {
      let oflag = flags.readWrite ? sharedMemoryFlags.readWrite : sharedMemoryFlags.readOnly;
      if (flags.create) oflag |= sharedMemoryFlags.create;
      if (flags.create && flags.exclusive) oflag |= sharedMemoryFlags.exclusive;
      return check(addon.openNamedSharedMemory(name, oflag, mode), name);
    },

    unlinkNamedSharedMemory(name: string): void {
      check(addon.unlinkNamedSharedMemory(name), name);
    },

    /** Maps one anonymous page, shows it to JavaScript through an external buffer, unmaps it. */
    probe(): void {
      const mapping = backend.map({
        fd: undefined,
        ownsFd: false,
        path: undefined,
        offset: 0,
        length: pageSize,
        protection: 'read-write',
        sharing: 'private',
        populate: false,
        noReserve: false,
        hugePages: false,
        faultGuard: false,
      });
      try {
        const slice = mapping.window(0, pageSize);
        const bytes = new Uint8Array(slice.buffer, slice.byteOffset, pageSize);
        bytes[0] = 1;
        if (bytes[0] !== 1) throw unavailable('native-napi', 'it cannot write to the memory it mapped.');
      } finally {
        mapping.unmap();
      }
    },
  };
  return backend;
}
