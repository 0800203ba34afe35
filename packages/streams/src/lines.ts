/**
 * Line iteration straight over the mapped windows: `lines()` (strings), `lineOffsets()` and
 * `scanLines()` (byte ranges, no strings). Lines are split at `\n`; a `\r` just before it is
 * dropped unless `keepCR`. A lone `\r` is data (unlike `readline`, which also splits there).
 * A line that spans windows, or is longer than one, is assembled from copies of its parts,
 * so a UTF-8 sequence cut by a window boundary decodes whole.
 */
import type { LineRange, LinesOptions, ScanOptions } from './api.js';
import { validateCallback, validateLinesOptions, validateScanOptions, validateReadTarget, type CheckedReadOptions, type ReadTarget } from './validate.js';
import { WindowSource } from './window-source.js';

const newline = 0x0a;
const carriageReturn = 0x0d;

/** Lines as strings: iterate with `for ... of` (fastest) or `for await ... of`. */
export interface LineIterable extends Iterable<string>, AsyncIterable<string> {}

/**
 * The lines of a file as strings, without their line endings. A last line without a newline
 * is yielded; an empty file yields nothing (as `readline` does).
 *
 * @param target - a path, a file URL or a `Mapping`
 * @param options - `encoding` (default `'utf8'`), `keepCR` (default `false`), and the read options
 *
 * # Errors
 * `TypeError`/`RangeError` for bad arguments (thrown at once); the read errors of
 * `createReadStream()` (`ERR_MMAP_SYSTEM`, `ERR_MMAP_TRUNCATED`) are thrown by the loop.
 *
 * @example
 * ```ts
 * for (const line of lines('access.log')) if (line.includes(' 500 ')) errors++;
 * ```
 */
export function lines(target: ReadTarget, options?: LinesOptions): LineIterable {
  const checkedTarget = validateReadTarget(target);
  const checked = validateLinesOptions(options);
  const iterate = (): LineIterator => new LineIterator(new WindowSource(checkedTarget, checked), checked.encoding, checked.keepCR);
  return {
    [Symbol.iterator]: iterate,
    [Symbol.asyncIterator]: () => asyncOf(iterate()),
  };
}

function asyncOf<T>(iterator: Iterator<T, undefined, undefined> & { return(): IteratorResult<T, undefined> }): AsyncIterator<T, undefined, undefined> {
  return {
    next: () => {
      try {
        return Promise.resolve(iterator.next());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    return: () => Promise.resolve(iterator.return()),
  };
}

/**
 * Bytes decoded into one string at a time (cut after a newline): one decode call per block
 * instead of one per line. A line is a slice of its block's string, so a line the consumer
 * keeps may keep up to this much text alive (as with `String.prototype.split`).
 */
const decodeBlock = 1024 * 1024;

/**
 * The lines of a source, as a hand-written iterator: a generator costs about a third more per
 * line here (measured on 14M lines), which is most of the time `lines()` takes.
 */
class LineIterator implements Iterator<string, undefined, undefined>, Iterable<string> {
  readonly #source: WindowSource;
  readonly #encoding: BufferEncoding;
  readonly #keepCR: boolean;
  /** Copies of the parts of a line that started in an earlier window. */
  #pending: Buffer[] = [];
  #bytes: Buffer | undefined;
  /** Next byte of `#bytes` to decode. */
  #position = 0;
  /** Decoded text ending with '\n' and where its next line starts. */
  #text = '';
  #lineStart = 0;
  #done = false;

  constructor(source: WindowSource, encoding: BufferEncoding, keepCR: boolean) {
    this.#source = source;
    this.#encoding = encoding;
    this.#keepCR = keepCR;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<string, undefined> {
    for (;;) {
      const text = this.#text;
      const lineStart = this.#lineStart;
      const found = text.indexOf('\n', lineStart);
      if (found !== -1) {
        this.#lineStart = found + 1;
        const lineEnd = !this.#keepCR && found > lineStart && text.charCodeAt(found - 1) === carriageReturn ? found - 1 : found;
        return { value: text.slice(lineStart, lineEnd), done: false };
      }
      if (this.#done) return { value: undefined, done: true };
      try {
        const last = this.#refill();
        if (last !== undefined) return { value: last, done: false };
      } catch (error) {
        this.return();
        throw error;
      }
    }
  }

  /** Lets go of the file (a loop left early calls it). */
  return(): IteratorResult<string, undefined> {
    this.#done = true;
    this.#text = '';
    this.#pending = [];
    this.#source.close();
    return { value: undefined, done: true };
  }

  /** Decodes the next block into `#text`; at the end of the file returns a last line without newline, if any. */
  #refill(): string | undefined {
    this.#text = '';
    this.#lineStart = 0;
    for (;;) {
      const bytes = this.#bytes;
      if (bytes === undefined || this.#position >= bytes.length) {
        const window = this.#source.nextWindow(false);
        if (window === undefined) return this.#finish();
        this.#bytes = window.bytes;
        this.#position = 0;
        continue;
      }
      const position = this.#position;
      const cut = blockEnd(bytes, position);
      if (cut === -1) {
        this.#pending.push(Buffer.from(bytes.subarray(position)));
        this.#position = bytes.length;
        continue;
      }
      this.#position = cut + 1;
      if (this.#pending.length > 0) {
        this.#pending.push(bytes.subarray(position, cut + 1));
        this.#text = Buffer.concat(this.#pending).toString(this.#encoding);
        this.#pending = [];
      } else {
        this.#text = bytes.toString(this.#encoding, position, cut + 1);
      }
      return undefined;
    }
  }

  #finish(): string | undefined {
    const pending = this.#pending;
    this.return();
    return pending.length > 0 ? Buffer.concat(pending).toString(this.#encoding) : undefined;
  }
}

/** The last newline of the block starting at `position` (or the first one after it, for a long line); -1 when the window has none left. */
function blockEnd(bytes: Buffer, position: number): number {
  const end = Math.min(bytes.length, position + decodeBlock);
  const last = bytes.lastIndexOf(newline, end - 1);
  if (last >= position) return last;
  return bytes.indexOf(newline, end);
}

/**
 * Calls `callback(start, end)` for every line with its byte range in the file (line ending
 * excluded), without creating strings: the fast path for counting, grepping and indexing.
 * Returning `false` from the callback stops the scan.
 *
 * @returns the number of lines seen
 *
 * # Errors
 * As `lines()`.
 *
 * @example
 * ```ts
 * const count = scanLines('big.csv', () => {});
 * ```
 */
export function scanLines(target: ReadTarget, callback: (start: number, end: number) => unknown, options?: ScanOptions): number {
  const checkedTarget = validateReadTarget(target);
  const checkedCallback = validateCallback(callback);
  const { checked, keepCR } = checkScanOptions(options);
  return scanSource(new WindowSource(checkedTarget, checked), keepCR, checkedCallback);
}

function checkScanOptions(options: ScanOptions | undefined): { checked: CheckedReadOptions; keepCR: boolean } {
  const checked = validateScanOptions(options);
  return { checked, keepCR: checked.keepCR };
}

function scanSource(source: WindowSource, keepCR: boolean, callback: (start: number, end: number) => unknown): number {
  let count = 0;
  let lineStart = source.start;
  /** The byte before the current window, to see a `\r\n` split by a window boundary. */
  let previousByte = -1;
  try {
    for (let window = source.nextWindow(false); window !== undefined; window = source.nextWindow(false)) {
      const bytes = window.bytes;
      const base = window.offset;
      for (let found = bytes.indexOf(newline, 0); found !== -1; found = bytes.indexOf(newline, found + 1)) {
        const before = found > 0 ? bytes[found - 1] : previousByte;
        const lineEnd = !keepCR && before === carriageReturn && base + found > lineStart ? base + found - 1 : base + found;
        count++;
        if (callback(lineStart, lineEnd) === false) return count;
        lineStart = base + found + 1;
      }
      previousByte = bytes.length > 0 ? (bytes[bytes.length - 1] as number) : previousByte;
    }
    if (lineStart < source.end) {
      count++;
      callback(lineStart, source.end);
    }
    return count;
  } finally {
    source.close();
  }
}

/**
 * The byte ranges of the file's lines, as `{ start, end }` objects (see `scanLines()` for the
 * fastest form).
 *
 * # Errors
 * As `lines()`.
 *
 * @example
 * ```ts
 * for (const { start, end } of lineOffsets('index.txt')) offsets.push(start);
 * ```
 */
export function* lineOffsets(target: ReadTarget, options?: ScanOptions): Generator<LineRange, void, undefined> {
  const checkedTarget = validateReadTarget(target);
  const { checked, keepCR } = checkScanOptions(options);
  const source = new WindowSource(checkedTarget, checked);
  let lineStart = source.start;
  let previousByte = -1;
  try {
    for (let window = source.nextWindow(false); window !== undefined; window = source.nextWindow(false)) {
      const bytes = window.bytes;
      const base = window.offset;
      for (let found = bytes.indexOf(newline, 0); found !== -1; found = bytes.indexOf(newline, found + 1)) {
        const before = found > 0 ? bytes[found - 1] : previousByte;
        const lineEnd = !keepCR && before === carriageReturn && base + found > lineStart ? base + found - 1 : base + found;
        yield { start: lineStart, end: lineEnd };
        lineStart = base + found + 1;
      }
      previousByte = bytes.length > 0 ? (bytes[bytes.length - 1] as number) : previousByte;
    }
    if (lineStart < source.end) yield { start: lineStart, end: source.end };
  } finally {
    source.close();
  }
}
