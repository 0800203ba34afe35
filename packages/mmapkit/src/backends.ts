import { createRequire } from 'node:module';
import {
  backendNotExported,
  isMomentaryFailure,
  loadCandidate,
  MmapRangeError,
  requestedBackendUnavailable,
  selectBackend,
  type Backend,
  type BackendCandidate,
} from '@mmapkit/core';

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

/** Each backend loaded (or failed to load) so far: loading is tried once per process. */
const loaded = new Map<BackendName, { readonly backend: Backend } | { readonly error: unknown }>();

/**
 * Loads one backend by name, synchronously, once per process: later calls return the same backend,
 * or throw the same error, without loading again.
 *
 * # Errors
 * What loading its package threw (`ERR_MMAP_BACKEND_UNAVAILABLE` from the backend itself, or
 * `MODULE_NOT_FOUND` for a missing optional dependency); `ERR_MMAP_BACKEND_UNAVAILABLE` for a
 * package without a `backend` export.
 *
 * @example
 * ```ts
 * const native = loadBackend('native-napi');
 * ```
 */
export function loadBackend(name: BackendName): Backend {
  let outcome = loaded.get(name);
  if (outcome === undefined) {
    outcome = requireOnce(name);
    loaded.set(name, outcome);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.backend;
}

function requireOnce(name: BackendName): { readonly backend: Backend } | { readonly error: unknown } {
  try {
    const exported = (requireBackend(packageOf[name]) as { backend?: Backend }).backend;
    return exported === undefined ? { error: backendNotExported(packageOf[name]) } : { backend: exported };
  } catch (error) {
    return { error };
  }
}

/** The known backends as candidates, loaded by `loadBackend` (made once: the front door's fast path). */
const knownCandidates: readonly BackendCandidate[] = Object.freeze(backendNames.map((name) => Object.freeze({ name, load: () => loadBackend(name) })));

/** The default candidates: every known backend, loaded by `loadBackend`. */
export function defaultCandidates(): BackendCandidate[] {
  return [...knownCandidates];
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
 * first candidate that loads and passes its probe (core's `selectBackend`). A runtime that
 * refuses external buffers (Electron's memory cage) skips every zero-copy backend and uses
 * fallback-fs. Each backend is loaded and probed once per process: later choices reuse the
 * outcome.
 *
 * # Errors
 * `RangeError` (`ERR_INVALID_ARG_VALUE`) for an unknown backend name, in the option or the
 * environment variable (never a silent default); `ERR_MMAP_BACKEND_UNAVAILABLE` when the
 * named backend cannot load here; `ERR_MMAP_NO_BACKEND` when none can. A probe that fails for
 * a reason of the moment throws that reason (`ERR_MMAP_TOO_MANY_MAPPINGS`, `ERR_MMAP_SYSTEM`
 * with `ENOMEM` or `EMFILE`), never "unavailable".
 *
 * @example
 * ```ts
 * const { backend, reason } = chooseBackend();
 * console.log(backend.name, reason);
 * ```
 */
export function chooseBackend(options: ChooseBackendOptions = {}): BackendChoice {
  if (isBackend(options.backend)) return { backend: options.backend, reason: 'given as a Backend object', rejected: [] };
  const candidates = options.candidates ?? knownCandidates;
  if (options.backend !== undefined) return requestedChoice(candidates, options.backend, 'options.backend');
  const environment = options.environment ?? process.env;
  const fromEnvironment = environment.MMAPKIT_BACKEND;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return requestedChoice(candidates, fromEnvironment, 'MMAPKIT_BACKEND');
  const { backend, rejected } = selectBackend(candidates);
  const reason =
    rejected.length === 0 ? 'the first choice, and it works here' : `the first that works here (${rejected.map((entry) => entry.name).join(', ')} did not)`;
  return { backend, reason, rejected: rejected.map((entry) => ({ name: entry.name, reason: entry.reason })) };
}

/** The backend named by `source` (the option or the environment variable), or why it cannot be used. */
function requestedChoice(candidates: readonly BackendCandidate[], requested: string, source: string): BackendChoice {
  const candidate = candidates.find((entry) => entry.name === requested);
  if (candidate === undefined) {
    throw new MmapRangeError(source, `one of ${candidates.map((entry) => `'${entry.name}'`).join(', ')}`, requested, 'ERR_INVALID_ARG_VALUE');
  }
  try {
    return { backend: loadCandidate(candidate), reason: `requested by ${source}`, rejected: [] };
  } catch (error) {
    if (isMomentaryFailure(error)) throw error;
    throw requestedBackendUnavailable(candidate.name, source, error);
  }
}

/**
 * Every known backend, with whether it loads and passes its probe here, and why not.
 *
 * @example
 * ```ts
 * for (const report of backends()) console.log(report.name, report.available, report.reason ?? '');
 * ```
 */
export function backends(candidates: readonly BackendCandidate[] = knownCandidates): BackendReport[] {
  return candidates.map((candidate) => {
    try {
      return { name: candidate.name, available: true, reason: undefined, backend: loadCandidate(candidate) };
    } catch (error) {
      return { name: candidate.name, available: false, reason: error instanceof Error ? error.message : String(error), backend: undefined };
    }
  });
}
