/**
 * `ArenaError`: everything the arena throws that is not an argument mistake, with a stable
 * string `code` (documented in this package's README). Argument mistakes are mmapkit's
 * `MmapTypeError`/`MmapRangeError`.
 */

const arenaErrorMarker = Symbol.for('mmapkit.ArenaError');

/** Every `ArenaError` code. Each is described in the README's error catalogue. */
export type ArenaErrorCode =
  | 'ERR_ARENA_OUT_OF_MEMORY'
  | 'ERR_ARENA_BAD_FREE'
  | 'ERR_ARENA_CORRUPT'
  | 'ERR_ARENA_UNSUPPORTED'
  | 'ERR_ARENA_CLOSED'
  | 'ERR_ARENA_EXISTS';

/** Details of an `ArenaError` beyond its code and message. */
export interface ArenaErrorDetails {
  /** `ERR_ARENA_OUT_OF_MEMORY`: the bytes asked for. */
  requested?: number;
  /** `ERR_ARENA_OUT_OF_MEMORY`: the largest block that could be allocated at that moment. */
  largestFree?: number;
  /** `ERR_ARENA_BAD_FREE`: the offset given. */
  offset?: number;
  /** `ERR_ARENA_CORRUPT`: what was wrong, in words. */
  problem?: string;
  /** The file or shared-memory name involved, when known. */
  path?: string;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * The error the arena throws for everything that is not an argument mistake.
 *
 * @example
 * ```ts
 * try { arena.alloc(1 << 30); } catch (error) {
 *   if (ArenaError.isInstance(error) && error.code === 'ERR_ARENA_OUT_OF_MEMORY') console.log(error.largestFree);
 * }
 * ```
 */
export class ArenaError extends Error {
  /** Stable machine-readable code. */
  readonly code: ArenaErrorCode;
  /** `ERR_ARENA_OUT_OF_MEMORY`: the bytes asked for. */
  readonly requested: number | undefined;
  /** `ERR_ARENA_OUT_OF_MEMORY`: the largest block that could have been allocated. */
  readonly largestFree: number | undefined;
  /** `ERR_ARENA_BAD_FREE`: the offset given. */
  readonly offset: number | undefined;
  /** `ERR_ARENA_CORRUPT`: what was wrong. */
  readonly problem: string | undefined;
  /** The file or shared-memory name, when known. */
  readonly path: string | undefined;

  constructor(code: ArenaErrorCode, message: string, details: ArenaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ArenaError';
    this.code = code;
    this.requested = details.requested;
    this.largestFree = details.largestFree;
    this.offset = details.offset;
    this.problem = details.problem;
    this.path = details.path;
    Object.defineProperty(this, arenaErrorMarker, { value: true });
  }

  /** True for an `ArenaError` from any copy of this package (not only this one). */
  static isInstance(value: unknown): value is ArenaError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[arenaErrorMarker] === true;
  }
}

/** True for an `ArenaError` from any copy of `@mmapkit/arena` loaded in this process. */
export function isArenaError(value: unknown): value is ArenaError {
  return ArenaError.isInstance(value);
}

/** `ERR_ARENA_CORRUPT` with `problem` as both detail and message. */
export function corruptError(problem: string, path?: string): ArenaError {
  return new ArenaError('ERR_ARENA_CORRUPT', `The arena${path === undefined ? '' : ` in '${path}'`} is corrupt: ${problem}.`, {
    problem,
    ...(path === undefined ? {} : { path }),
  });
}
