/** `createReadStream()`: a Node `Readable` whose chunks are views into the mapped file. */
import { Readable } from 'node:stream';
import { ChunkCursor } from './chunk-cursor.js';
import type { ReadOptions } from './api.js';
import { validateReadOptions, validateReadTarget, type ReadTarget } from './validate.js';
import { WindowSource } from './window-source.js';

/** The `Readable` `createReadStream()` returns. */
export class MappedReadStream extends Readable {
  /** The file being read, when known. */
  readonly path: string | undefined;
  /** Bytes handed out so far. */
  bytesRead = 0;
  readonly #cursor: ChunkCursor;

  /** @internal Use `createReadStream()`. */
  constructor(cursor: ChunkCursor, highWaterMark: number) {
    super({ highWaterMark });
    this.#cursor = cursor;
    this.path = cursor.source.path;
  }

  override _read(): void {
    try {
      for (;;) {
        const chunk = this.#cursor.next();
        if (chunk === undefined) {
          this.#cursor.close();
          this.push(null);
          return;
        }
        this.bytesRead += chunk.length;
        if (!this.push(chunk)) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.#cursor.close();
    } catch (closeError) {
      callback(error ?? (closeError as Error));
      return;
    }
    callback(error);
  }
}

/**
 * A `Readable` (byte mode) over a file or a `Mapping`. Chunks are `Buffer` views into the
 * mapping, not copies, and stay valid as long as they are held — after the stream has moved
 * on, ended or been destroyed. The file is mapped `windowSize` bytes at a time.
 *
 * @param target - a path, a file URL or an open `Mapping` (which the stream never closes)
 * @param options - `start`, `end` (exclusive), `chunkSize`, `windowSize`, `copy`, `dropBehind`, `backend`
 *
 * # Errors
 * Thrown: `TypeError`/`RangeError` naming a bad argument; `MmapError` `ERR_MMAP_SYSTEM`
 * (e.g. `ENOENT`) when the file cannot be opened. Emitted as `'error'`: `ERR_MMAP_TRUNCATED`
 * when the file shrinks below the range being read; `ERR_MMAP_SYSTEM` when mapping fails.
 *
 * @example
 * ```ts
 * import { createReadStream } from '@mmapkit/streams';
 * let sum = 0;
 * for await (const chunk of createReadStream('big.bin')) sum += chunk.length;
 * ```
 */
export function createReadStream(target: ReadTarget, options?: ReadOptions): MappedReadStream {
  const checkedTarget = validateReadTarget(target);
  const checked = validateReadOptions(options);
  const cursor = new ChunkCursor(new WindowSource(checkedTarget, checked), checked);
  return new MappedReadStream(cursor, checked.chunkSize);
}
