/**
 * `BufferPoolError`: everything the pool throws that is not an argument mistake, with a
 * stable string `code`. Shaped like core's `MmapError`; every code has a paragraph in this
 * package's README.
 */

const bufferPoolErrorMarker = Symbol.for('mmapkit.BufferPoolError');

/** Every `BufferPoolError` code. Each is described in the README's error catalogue. */
export type BufferPoolErrorCode =
  | 'ERR_POOL_EXHAUSTED'
  | 'ERR_POOL_NOT_PINNED'
  | 'ERR_POOL_ALREADY_PINNED'
  | 'ERR_POOL_LOCK_TIMEOUT'
  | 'ERR_POOL_READ_ONLY'
  | 'ERR_POOL_NOT_SHARED'
  | 'ERR_POOL_UNSUPPORTED'
  | 'ERR_POOL_BUSY'
  | 'ERR_POOL_CLOSED';

/** Details of a `BufferPoolError` beyond its code and message. */
export interface BufferPoolErrorDetails {
  /** The page involved, when there is one. */
  page?: number;
  /** The error that caused this one (for example an `MmapError` from the backend). */
  cause?: unknown;
}

/**
 * The error the buffer pool throws for everything that is not an argument mistake
 * (those are core's `MmapTypeError`/`MmapRangeError`, which name the argument).
 *
 * @example
 * ```ts
 * try { pool.pin(7); } catch (error) {
 *   if (BufferPoolError.isInstance(error) && error.code === 'ERR_POOL_EXHAUSTED') unpinSomething();
 * }
 * ```
 */
export class BufferPoolError extends Error {
  /** Stable machine-readable code. */
  readonly code: BufferPoolErrorCode;
  /** The page involved, or `undefined`. */
  readonly page: number | undefined;

  constructor(code: BufferPoolErrorCode, message: string, details: BufferPoolErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BufferPoolError';
    this.code = code;
    this.page = details.page;
    Object.defineProperty(this, bufferPoolErrorMarker, { value: true });
  }

  /** True for a `BufferPoolError` from any copy of this package (not only this one). */
  static isInstance(value: unknown): value is BufferPoolError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[bufferPoolErrorMarker] === true;
  }
}
