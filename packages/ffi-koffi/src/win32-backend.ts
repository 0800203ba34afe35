import { largestRuntimeView, unsupported, type Backend, type BackendMapping, type Capabilities, type MapRequest, type Protection, type Sharing } from '@mmapkit/core';
import { AddressRange } from './address-range.js';
import { Kernel32, type Pointer } from './kernel32.js';
import { refusedBy } from './failures.js';
import { koffiViewLimit, type Koffi } from './koffi.js';
import { win32 } from './platform/win32.js';
import { inspectViews, type ViewFacts } from './views.js';
import { pageProtection, WindowsMapping, type WindowsContext } from './win32-mapping.js';

/** koffi.view() aborts the process above 4 GiB on Node 20 (not verified larger elsewhere). */

/** How a view is mapped: the section's protection, the view's access, what pages it starts with. */
interface ViewKind {
  readonly sectionProtect: number;
  readonly viewAccess: number;
  readonly initialProtect: number;
  readonly writable: boolean;
}

/**
 * Shared views of a file are mapped with the access the protection asks for (a file opened
 * read-only allows no more); private views always `FILE_MAP_COPY`, so that `protect()` can
 * later make them writable (copy-on-write); anonymous memory is always a writable section.
 */
function viewKind(anonymous: boolean, protection: Protection, sharing: Sharing): ViewKind {
  if (sharing === 'private') {
    return { sectionProtect: anonymous ? win32.PAGE_READWRITE : win32.PAGE_WRITECOPY, viewAccess: win32.FILE_MAP_COPY, initialProtect: win32.PAGE_WRITECOPY, writable: true };
  }
  if (anonymous || protection === 'read-write') {
    return { sectionProtect: win32.PAGE_READWRITE, viewAccess: win32.FILE_MAP_WRITE, initialProtect: win32.PAGE_READWRITE, writable: true };
  }
  return { sectionProtect: win32.PAGE_READONLY, viewAccess: win32.FILE_MAP_READ, initialProtect: win32.PAGE_READONLY, writable: false };
}

/** The Windows half of the backend, for `WindowsSharedMemory` too. */
export interface WindowsBackend {
  readonly backend: Backend;
  readonly context: WindowsContext;
  /** Map a view of a section this process holds a handle to (the handle stays the caller's). */
  mapSection(
    section: Pointer,
    offset: number,
    length: number,
    protection: Protection,
    sharing: Sharing,
    writableSection: boolean,
    name: string | undefined,
  ): BackendMapping;
}

/**
 * Builds the Windows backend: binds kernel32, reads the page size and allocation granularity
 * (`GetSystemInfo`), and finds out once whether koffi views can be made and detached here.
 */
export function createWindowsBackend(koffi: Koffi): WindowsBackend {
  const kernel32 = new Kernel32(koffi);
  const { pageSize, allocationGranularity } = kernel32.systemInfo();
  const largestView = Math.min(largestRuntimeView, koffiViewLimit);
  const views = inspectWindowsViews(koffi, kernel32, pageSize);
  const context: WindowsContext = { koffi, kernel32, pageSize, allocationGranularity, largestView, canDetach: views.canDetach };

  const mapView = (section: Pointer, request: { offset: number; length: number; protection: Protection; sharing: Sharing }, kind: ViewKind, file: Pointer | undefined, path: string | undefined): BackendMapping => {
    const address = kernel32.mapViewOfFile(section, kind.viewAccess, request.offset, request.length, path);
    try {
      const wanted = pageProtection(request.protection, request.sharing);
      if (wanted !== kind.initialProtect) kernel32.virtualProtect(address, request.length, wanted);
    } catch (error) {
      kernel32.unmapViewOfFile(address);
      throw error;
    }
    return new WindowsMapping(context, { address, length: request.length, sharing: request.sharing, writable: kind.writable, file, path });
  };

  const refuse = (what: string): never => {
    throw unsupported('ffi-koffi', `${what} on Windows`, '(use WindowsSharedMemory from @mmapkit/ffi-koffi)');
  };

  const backend: Backend = Object.freeze({
    name: 'ffi-koffi',
    moduleSpecifier: '@mmapkit/ffi-koffi',
    capabilities: describeWindowsCapabilities(kernel32, largestView, views.canDetach),
    pageSize,
    allocationGranularity,

    map(request: MapRequest): BackendMapping {
      const anonymous = request.fd === undefined;
      const kind = viewKind(anonymous, request.protection, request.sharing);
      // The section keeps its own reference to the file; the duplicate is kept only where
      // FlushFileBuffers will need it (writes can reach the file).
      const file = anonymous ? undefined : kernel32.duplicateDescriptorHandle(request.fd as number, request.path);
      const keepFile = file !== undefined && request.sharing === 'shared' && kind.writable;
      let mapped = false;
      try {
        const { section } = kernel32.createFileMapping(file ?? win32.INVALID_HANDLE_VALUE, kind.sectionProtect, anonymous ? request.length : 0, null, request.path);
        try {
          const mapping = mapView(section, request, kind, keepFile ? file : undefined, request.path);
          mapped = true;
          return mapping;
        } finally {
          // A view keeps its section alive: the handle is not needed any more.
          kernel32.closeHandle(section);
        }
      } finally {
        if (file !== undefined && (!keepFile || !mapped)) kernel32.closeHandle(file);
      }
    },

    createAnonymousSharedMemory(): number {
      return refuse('anonymous shared memory as a file descriptor');
    },

    openNamedSharedMemory(): number {
      return refuse('POSIX named shared memory (shm_open)');
    },

    unlinkNamedSharedMemory(): void {
      refuse('POSIX named shared memory (shm_unlink)');
    },

    probe(): void {
      if (!views.externalBuffers) {
        throw refusedBy(views.externalBuffersError);
      }
      const { section } = kernel32.createFileMapping(win32.INVALID_HANDLE_VALUE, win32.PAGE_READWRITE, pageSize, null);
      try {
        kernel32.unmapViewOfFile(kernel32.mapViewOfFile(section, win32.FILE_MAP_WRITE, 0, pageSize));
      } finally {
        kernel32.closeHandle(section);
      }
    },
  } satisfies Backend);

  return {
    backend,
    context,
    mapSection(section, offset, length, protection, sharing, writableSection, name) {
      // A section opened read-only is viewed like a file opened read-only.
      const kind = viewKind(writableSection, writableSection ? protection : 'read', sharing);
      return mapView(section, { offset, length, protection, sharing }, kind, undefined, name);
    },
  };
}

/** What Windows offers, and what it lacks, declared instead of pretended. */
function describeWindowsCapabilities(kernel32: Kernel32, largestView: number, canDetach: boolean): Capabilities {
  return Object.freeze({
    zeroCopy: true,
    coherentVisibility: true,
    crossProcessAtomics: true,
    enforcedProtection: true,
    privateMappings: true,
    // No content-discarding advice (DiscardVirtualMemory/OfferVirtualMemory differ from
    // madvise), no access-pattern hints: only 'willneed' (PrefetchVirtualMemory).
    advice: Object.freeze(kernel32.hasPrefetch ? (['normal', 'willneed'] as const) : (['normal'] as const)),
    // Executable views need FILE_MAP_EXECUTE sections: not offered.
    protections: Object.freeze(['none', 'read', 'read-write'] as const),
    residency: false,
    lock: true,
    populate: false,
    noReserve: false,
    hugePages: false,
    syncInvalidate: false,
    // Windows shares memory through section handles and names, not descriptors: see
    // WindowsSharedMemory.
    anonymousSharedMemory: false,
    namedSharedMemory: false,
    detachOnClose: canDetach,
    staleViews: canDetach ? 'detached' : 'zeros',
    retainsFileDescriptor: false,
    faultGuard: false,
    // Windows refuses to shrink a file while a view of it is mapped (ERROR_USER_MAPPED_FILE).
    detectsTruncation: false,
    largestView,
  } satisfies Capabilities);
}

/** Whether koffi can view memory here and whether such a view can be detached, on one page. */
function inspectWindowsViews(koffi: Koffi, kernel32: Kernel32, pageSize: number): ViewFacts {
  const address = kernel32.virtualAlloc(null, pageSize, win32.MEM_RESERVE | win32.MEM_COMMIT, win32.PAGE_READWRITE);
  return inspectViews(koffi, new AddressRange((start) => kernel32.virtualFree(start), address, pageSize), pageSize);
}
