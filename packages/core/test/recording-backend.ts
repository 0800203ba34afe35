import type { Backend, BackendMapping, Capabilities, FaultEvent, MapRequest } from '../src/index.js';
import { advices, largestRuntimeView, pageSize, protections, uncheckedAdvices, uncheckedProtections, WindowSet } from '../src/index.js';

/** A call a backend received, recorded so tests can check the exact values the front passes. */
export interface RecordedCall {
  readonly method: string;
  readonly arguments: readonly unknown[];
}

const fullCapabilities: Capabilities = Object.freeze({
  zeroCopy: false,
  coherentVisibility: false,
  crossProcessAtomics: false,
  enforcedProtection: false,
  privateMappings: true,
  advice: [...advices, ...uncheckedAdvices],
  protections: [...protections, ...uncheckedProtections],
  residency: true,
  lock: true,
  populate: true,
  noReserve: true,
  hugePages: true,
  syncInvalidate: true,
  anonymousSharedMemory: false,
  namedSharedMemory: false,
  detachOnClose: false,
  staleViews: 'copy',
  retainsFileDescriptor: false,
  faultGuard: false,
  detectsTruncation: false,
  largestView: largestRuntimeView,
});

/**
 * An in-memory backend that records every call: the front's contract (validate, align,
 * then call with exact values) is tested against it without any operating system mapping.
 */
export function recordingBackend(overrides: Partial<Capabilities> = {}): {
  backend: Backend;
  calls: RecordedCall[];
  requests: MapRequest[];
  /** Faults every mapping of a guarded backend reports (push to simulate the guard). */
  faults: FaultEvent[];
} {
  const calls: RecordedCall[] = [];
  const faults: FaultEvent[] = [];
  const requests: MapRequest[] = [];
  const capabilities = Object.freeze({ ...fullCapabilities, ...overrides });
  const backend: Backend = {
    name: 'recording',
    moduleSpecifier: 'recording',
    capabilities,
    pageSize,
    allocationGranularity: pageSize,
    map(request: MapRequest): BackendMapping {
      requests.push(request);
      const memory = new ArrayBuffer(request.length);
      const windows = new WindowSet(request.length, capabilities.largestView, pageSize, (start, length) => memory.slice(start, start + length));
      const record =
        (method: string) =>
        (...values: unknown[]): undefined => {
          calls.push({ method, arguments: values });
          return undefined;
        };
      return {
        window: (offset, length) => windows.window(offset, length),
        sync: record('sync'),
        syncAsync: async (...values: unknown[]) => void record('syncAsync')(...values),
        refresh: record('refresh'),
        advise: record('advise'),
        protect: record('protect'),
        residency: (offset: number, length: number) => {
          calls.push({ method: 'residency', arguments: [offset, length] });
          return new Uint8Array(Math.ceil(length / pageSize)).fill(1);
        },
        lock: record('lock'),
        unlock: record('unlock'),
        prefetch: async (...values: unknown[]) => void record('prefetch')(...values),
        unmap: record('unmap'),
        release: record('release'),
        ...(capabilities.faultGuard ? { faults: () => (faults.length === 0 ? undefined : [...faults]) } : {}),
      };
    },
    createAnonymousSharedMemory: () => {
      throw new Error('not used');
    },
    openNamedSharedMemory: () => {
      throw new Error('not used');
    },
    unlinkNamedSharedMemory: () => {
      throw new Error('not used');
    },
    probe: () => undefined,
  };
  return { backend, calls, requests, faults };
}
