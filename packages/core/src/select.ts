/**
 * The one backend-choosing loop (the `mmapkit` front door's `chooseBackend()` uses it), and the
 * once-per-process probe every choice goes through.
 */
import type { Backend } from './api.js';
import { isMmapError } from './errors.js';
import { noBackend, skippedForExternalBuffers } from './failures.js';
import { budget } from './mapping-budget.js';

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

/** Each backend object's probe outcome: `true`, or the error it threw (which it throws again). */
const probes = new WeakMap<Backend, true | { readonly error: unknown }>();

/** errnos that describe this moment of the process (memory, descriptors), not the backend. */
const momentaryErrnos = new Set(['ENOMEM', 'EMFILE', 'ENFILE', 'EAGAIN']);

/**
 * True for a failure of this moment rather than of the backend: out of mappings, memory or
 * descriptors. Such a probe failure is not remembered, and it is thrown as it is (never as "this
 * backend is unavailable", and never a reason to choose another backend for good).
 */
export function isMomentaryFailure(error: unknown): boolean {
  if (!isMmapError(error)) return false;
  if (error.code === 'ERR_MMAP_TOO_MANY_MAPPINGS') return true;
  return error.code === 'ERR_MMAP_SYSTEM' && error.errno !== undefined && momentaryErrnos.has(error.errno);
}

/** A momentary failure as the error to throw: `ERR_MMAP_TOO_MANY_MAPPINGS` when the mapping count is why. */
function momentaryError(error: unknown): unknown {
  if (isMmapError(error) && error.errno === 'ENOMEM' && error.syscall === 'mmap') return budget.explain(error) ?? error;
  return error;
}

/**
 * Run `backend.probe()` once per process: later calls give the same outcome (return, or throw
 * the same error) without probing again. A momentary failure (`ENOMEM`, `EMFILE`,
 * `ERR_MMAP_TOO_MANY_MAPPINGS`) is not remembered.
 *
 * @example
 * ```ts
 * probeOnce(backend); // throws when the backend cannot work here
 * ```
 */
export function probeOnce(backend: Backend): void {
  const known = probes.get(backend);
  if (known === true) return;
  if (known !== undefined) throw known.error;
  try {
    backend.probe();
  } catch (error) {
    if (isMomentaryFailure(error)) throw momentaryError(error);
    probes.set(backend, { error });
    throw error;
  }
  probes.set(backend, true);
}

/**
 * `candidate.load()`, then `probeOnce()` of what it loaded.
 *
 * @throws whatever loading or the probe threw
 */
export function loadCandidate(candidate: BackendCandidate): Backend {
  const backend = candidate.load();
  probeOnce(backend);
  return backend;
}

/**
 * Pick the first candidate that loads and passes its probe (`probeOnce`). Once one backend finds
 * that the runtime refuses external buffers (`ERR_MMAP_EXTERNAL_BUFFERS_REFUSED`, Electron's
 * memory cage), every later zero-copy candidate is skipped without a probe, so only emulating
 * backends (fallback-fs) remain.
 *
 * # Errors
 * `ERR_MMAP_NO_BACKEND` when none works; its message lists every reason. A momentary failure of
 * a probe (out of mappings, memory or descriptors) is thrown as it is: it says nothing about the
 * backend, so the next backend is not chosen instead.
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
  let refusedBy: string | undefined;
  for (const candidate of candidates) {
    try {
      const backend = candidate.load();
      if (refusedBy !== undefined && backend.capabilities.zeroCopy) throw skippedForExternalBuffers(refusedBy);
      probeOnce(backend);
      return { backend, rejected };
    } catch (error) {
      if (isMomentaryFailure(error)) throw momentaryError(error);
      if (isMmapError(error) && error.code === 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED') refusedBy ??= candidate.name;
      rejected.push({ name: candidate.name, reason: error instanceof Error ? error.message : String(error), error });
    }
  }
  throw noBackend(rejected);
}
