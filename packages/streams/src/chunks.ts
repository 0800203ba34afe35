/** `chunks()` and `toWebStream()`: the same chunks as `createReadStream()`, without a Node stream. */
import { ChunkCursor } from './chunk-cursor.js';
import type { ReadOptions } from './api.js';
import { validateReadOptions, validateReadTarget, type ReadTarget } from './validate.js';
import { WindowSource } from './window-source.js';

function openCursor(target: ReadTarget, options: ReadOptions | undefined): ChunkCursor {
  const checked = validateReadOptions(options);
  return new ChunkCursor(new WindowSource(validateReadTarget(target), checked), checked);
}

/**
 * The file's chunks (views into the mapping, or copies with `copy: true`) as an async
 * iterable. Leaving the loop early lets go of the file.
 *
 * # Errors
 * Bad arguments and a file that cannot be opened throw at once; read errors
 * (`ERR_MMAP_TRUNCATED`, `ERR_MMAP_SYSTEM`) are thrown by the loop.
 *
 * @example
 * ```ts
 * for await (const chunk of chunks('big.bin', { start: 1024 })) hash.update(chunk);
 * ```
 */
export function chunks(target: ReadTarget, options?: ReadOptions): AsyncGenerator<Buffer, void, undefined> {
  // Checked and opened now, so that a bad argument throws here and not at the first next().
  return chunksOf(openCursor(target, options));
}

async function* chunksOf(cursor: ChunkCursor): AsyncGenerator<Buffer, void, undefined> {
  try {
    for (let chunk = cursor.next(); chunk !== undefined; chunk = cursor.next()) yield chunk;
  } finally {
    cursor.close();
  }
}

/**
 * A web `ReadableStream` of `Uint8Array` chunks. It is a default (not a byte) stream on
 * purpose: byte streams transfer the chunk's `ArrayBuffer`, which would detach the whole
 * window for every other holder. Chunks are views into the mapping unless `copy: true`;
 * the mapping's buffers are never detached.
 *
 * # Errors
 * As `createReadStream()`; a read error errors the stream.
 *
 * @example
 * ```ts
 * const response = new Response(toWebStream('page.html'));
 * ```
 */
export function toWebStream(target: ReadTarget, options?: ReadOptions): ReadableStream<Uint8Array> {
  const cursor = openCursor(target, options);
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        try {
          const chunk = cursor.next();
          if (chunk === undefined) {
            cursor.close();
            controller.close();
          } else {
            controller.enqueue(chunk);
          }
        } catch (error) {
          cursor.close();
          controller.error(error);
        }
      },
      cancel() {
        cursor.close();
      },
    },
    { highWaterMark: 1 },
  );
}
