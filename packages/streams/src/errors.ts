/**
 * Errors of `@mmapkit/streams`. Failures that core already names keep core's `MmapError`
 * codes (`ERR_MMAP_TRUNCATED`, `ERR_MMAP_SYSTEM`, `ERR_MMAP_CLOSED`); what only a stream can
 * get wrong is a `StreamsError` with an `ERR_STREAMS_*` code. Every code is in the README.
 */
import { MmapError } from 'mmapkit';

const streamsErrorMarker = Symbol.for('mmapkit.StreamsError');

/** Every `StreamsError` code. */
export type StreamsErrorCode = 'ERR_STREAMS_NOT_READABLE' | 'ERR_STREAMS_NOT_WRITABLE';

/**
 * An error only a stream can meet, with a stable string `code`.
 *
 * @example
 * ```ts
 * stream.on('error', (error) => { if (StreamsError.isInstance(error)) console.log(error.code); });
 * ```
 */
export class StreamsError extends Error {
  /** Stable machine-readable code. */
  readonly code: StreamsErrorCode;
  /** The file involved, when known. */
  readonly path: string | undefined;

  constructor(code: StreamsErrorCode, message: string, path?: string) {
    super(message);
    this.name = 'StreamsError';
    this.code = code;
    this.path = path;
    Object.defineProperty(this, streamsErrorMarker, { value: true });
  }

  /** True for a `StreamsError` from any copy of this package. */
  static isInstance(value: unknown): value is StreamsError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[streamsErrorMarker] === true;
  }
}

/** The file shrank below what the stream still has to read: `ERR_MMAP_TRUNCATED`. */
export function truncatedError(path: string | undefined, size: number, needed: number): MmapError {
  const file = path === undefined ? 'the file' : `'${path}'`;
  return new MmapError(
    'ERR_MMAP_TRUNCATED',
    `${file} was truncated to ${size} bytes by someone else while being streamed; the stream needed bytes up to ${needed}.`,
    path === undefined ? {} : { path },
  );
}
