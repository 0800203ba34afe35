/** Cuts a `WindowSource` into chunks: views (or copies) of at most `chunkSize` bytes, never spanning two windows. */
import type { CheckedReadOptions } from './validate.js';
import { WindowSource, type Window } from './window-source.js';

export class ChunkCursor {
  readonly source: WindowSource;
  readonly #chunkSize: number;
  readonly #copy: boolean;
  #window: Window | undefined;
  #position = 0;
  #heldInWindow = false;

  constructor(source: WindowSource, options: CheckedReadOptions) {
    this.source = source;
    this.#chunkSize = options.chunkSize;
    this.#copy = options.copy;
  }

  /** The next chunk, or `undefined` at the end. Throws the source's errors (truncation, I/O). */
  next(): Buffer | undefined {
    let window = this.#window;
    if (window === undefined || this.#position >= window.bytes.length) {
      window = this.source.nextWindow(this.#heldInWindow);
      this.#window = window;
      this.#position = 0;
      this.#heldInWindow = false;
      if (window === undefined) return undefined;
    }
    const start = this.#position;
    const end = Math.min(start + this.#chunkSize, window.bytes.length);
    this.#position = end;
    if (this.#copy) return Buffer.from(window.bytes.subarray(start, end));
    this.#heldInWindow = true;
    return window.bytes.subarray(start, end);
  }

  /** Lets go of the file; chunks handed out stay valid. */
  close(): void {
    if (this.#heldInWindow) this.source.markHeld();
    this.#window = undefined;
    this.source.close();
  }
}
