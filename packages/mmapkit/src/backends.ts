import { createRequire } from 'node:module';
import { isMmapError, MmapError, MmapRangeError, type Backend, type BackendCandidate } from '@mmapkit/core';

/** The names of the backends mmapkit knows, in order of preference. */
export const backendNames = ['native-napi', 'ffi-koffi', 'fallback-fs'] as const;

/** One of `backendNames`. */
export type BackendName = (typeof backendNames)[number];

const packageOf: Record<BackendName, string> = {
  'native-napi': '@mmapkit/native-napi',
  'ffi-koffi': '@mmapkit/ffi-koffi',
  'fallback-fs': '@mmapkit/fallback-fs',
};

const requireBackend = createRequire(import.meta.url);

/** Loads one backend by name, synchronously. Throws when it cannot load here. */
export function loadBackend(name: BackendName): Backend {
  const loaded = requireBackend(packageOf[name]) as { backend?: Backend };
  if (loaded.backend === undefined) {
    throw new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `${packageOf[name]} does not export a backend.`);
  }
  return loaded.backend;
}

/** The default candidates: every known backend, loaded by `loadBackend`. */
export function defaultCandidates(): BackendCandidate[] {
  return backendNames.map((name) => ({ name, load: () => loadBackend(name) }));
}

/** What `backends()` reports for each known backend. */
export interface BackendReport {
  readonly name: string;
  /** True when it loaded and passed its probe here. */
  readonly available: boolean;
  /** Why not, when it is not available. */
  readonly reason: string | undefined;
  /** The backend, when available. */
  readonly backend: Backend | undefined;
}

/** Options of `chooseBackend()`. */
export interface ChooseBackendOptions {
  /**
   * A backend name (`'native-napi'`, `'ffi-koffi'`, `'fallback-fs'`) or a `Backend` object.
   * @defaultValue the `MMAPKIT_BACKEND` environment variable, else the first that works
   */
  backend?: BackendName | Backend | undefined;
  /**
   * Environment variables to read `MMAPKIT_BACKEND` from.
   * @defaultValue `process.env`
   */
  environment?: Readonly<Record<string, string | undefined>>;
  /**
   * The candidates, in order of preference.
   * @defaultValue native-napi, ffi-koffi, fallback-fs
   */
  candidates?: readonly BackendCandidate[];
}

/** The backend chosen and why. */
export interface BackendChoice {
  readonly backend: Backend;
  /** One sentence for people: why this backend. */
  readonly reason: string;
  /** Every candidate tried before it and why it was rejected. */
  readonly rejected: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

function isBackend(value: unknown): value is Backend {
  return typeof value === 'object' && value !== null && typeof (value as Backend).map === 'function' && typeof (value as Backend).capabilities === 'object';
}

/**
 * Choose a backend: an explicit `backend` option wins, then `MMAPKIT_BACKEND`, then the
 * first candidate that loads and passes its probe. A runtime that refuses external
 * buffers (Electron's memory cage) skips every zero-copy backend and uses fallback-fs.
 *
 * # Errors
 * `RangeError` (`ERR_INVALID_ARG_VALUE`) for an unknown backend name, in the option or the
 * environment variable (never a silent default); `ERR_MMAP_BACKEND_UNAVAILABLE` when the
 * named backend cannot load here; `ERR_MMAP_NO_BACKEND` when none can.
 *
 * @example
 * ```ts
 * const { backend, reason } = chooseBackend();
 * console.log(backend.name, reason);
 * ```
 */
export function chooseBackend(options: ChooseBackendOptions = {}): BackendChoice {
  const candidates = options.candidates ?? defaultCandidates();
  const environment = options.environment ?? process.env;
  if (isBackend(options.backend)) return { backend: options.backend, reason: 'given as a Backend object', rejected: [] };
  const fromEnvironment = environment.MMAPKIT_BACKEND === '' ? undefined : environment.MMAPKIT_BACKEND;
  const requested = options.backend ?? fromEnvironment;
  const source = options.backend === undefined ? 'MMAPKIT_BACKEND' : 'options.backend';
  if (requested !== undefined) {
    const candidate = candidates.find((entry) => entry.name === requested);
    if (candidate === undefined) {
      throw new MmapRangeError(source, `one of ${candidates.map((entry) => `'${entry.name}'`).join(', ')}`, requested, 'ERR_INVALID_ARG_VALUE');
    }
    try {
      const backend = candidate.load();
      backend.probe();
      return { backend, reason: `requested by ${source}`, rejected: [] };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `The ${candidate.name} backend requested by ${source} cannot be used here: ${reason}`, { cause: error });
    }
  }
  const rejected: Array<{ name: string; reason: string }> = [];
  let refusedBy: string | undefined;
  for (const candidate of candidates) {
    try {
      const backend = candidate.load();
      if (refusedBy !== undefined && backend.capabilities.zeroCopy) {
        throw new MmapError('ERR_MMAP_EXTERNAL_BUFFERS_REFUSED', `this runtime refuses external buffers (found by ${refusedBy}), which every zero-copy backend needs`);
      }
      backend.probe();
      const reason =
        rejected.length === 0 ? 'the first choice, and it works here' : `the first that works here (${rejected.map((entry) => entry.name).join(', ')} did not)`;
      return { backend, reason, rejected };
    } catch (error) {
      if (isMmapError(error) && error.code === 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED') refusedBy ??= candidate.name;
      rejected.push({ name: candidate.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const reasons = rejected.map((entry) => `${entry.name}: ${entry.reason}`).join('; ');
  throw new MmapError('ERR_MMAP_NO_BACKEND', `No mmapkit backend works here (${reasons || 'no candidates'}).`);
}

/**
 * Every known backend, with whether it loads and passes its probe here, and why not.
 *
 * @example
 * ```ts
 * for (const report of backends()) console.log(report.name, report.available, report.reason ?? '');
 * ```
 */
export function backends(candidates: readonly BackendCandidate[] = defaultCandidates()): BackendReport[] {
  return candidates.map((candidate) => {
    try {
      const backend = candidate.load();
      backend.probe();
      return { name: candidate.name, available: true, reason: undefined, backend };
    } catch (error) {
      return { name: candidate.name, available: false, reason: error instanceof Error ? error.message : String(error), backend: undefined };
    }
  });
}
