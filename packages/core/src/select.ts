import type { Backend } from './api.js';
import { MmapError } from './errors.js';

/** A backend to try: its name and a function that loads it (may throw). */
export interface BackendCandidate {
  readonly name: string;
  readonly load: () => Backend;
}

/** Why a candidate was not chosen. */
export interface BackendRejection {
  readonly name: string;
  /** One line for people: the error's message. */
  readonly reason: string;
  /** The error thrown by `load()` or `probe()`. */
  readonly error: unknown;
}

/** The result of `selectBackend()`. */
export interface BackendSelection {
  readonly backend: Backend;
  /** Every candidate tried before `backend`, with the reason it was rejected. */
  readonly rejected: readonly BackendRejection[];
}

/**
 * Pick the first candidate that loads and passes its own `probe()`.
 *
 * # Errors
 * `ERR_MMAP_NO_BACKEND` when none does; its message lists every reason.
 *
 * @example
 * ```ts
 * const { backend, rejected } = selectBackend([
 *   { name: 'native-napi', load: () => require('@mmapkit/native-napi').backend },
 *   { name: 'fallback-fs', load: () => require('@mmapkit/fallback-fs').backend },
 * ]);
 * ```
 */
export function selectBackend(candidates: readonly BackendCandidate[]): BackendSelection {
  const rejected: BackendRejection[] = [];
  for (const candidate of candidates) {
    try {
      const backend = candidate.load();
      backend.probe();
      return { backend, rejected };
    } catch (error) {
      rejected.push({ name: candidate.name, reason: error instanceof Error ? error.message : String(error), error });
    }
  }
  const reasons = rejected.map((rejection) => `${rejection.name}: ${rejection.reason}`).join('; ');
  throw new MmapError('ERR_MMAP_NO_BACKEND', `No mmapkit backend works here (${reasons || 'no candidates'}).`);
}
