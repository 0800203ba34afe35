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
  const iterate = (): Generator<string, void, undefined> => lineStrings(new WindowSource(checkedTarget, checked), checked.encoding, checked.keepCR);
  return {
    [Symbol.iterator]: iterate,
    [Symbol.asyncIterator]: () => asyncOf(iterate()),
  };
}

function asyncOf<T>(iterator: Generator<T, void, undefined>): AsyncIterator<T, void, undefined> {
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

function* lineStrings(source: WindowSource, encoding: BufferEncoding, keepCR: boolean): Generator<string, void, undefined> {
  /** Copies of the parts of a line that started in an earlier window. */
  let pending: Buffer[] = [];
  try {
    for (let window = source.nextWindow(false); window !== undefined; window = source.nextWindow(false)) {
      const bytes = window.bytes;
      for (let position = 0; position < bytes.length; ) {
        const cut = blockEnd(bytes, position);
        if (cut === -1) {
          pending.push(Buffer.from(bytes.subarray(position)));
          break;
        }
        let text: string;
        if (pending.length > 0) {
          pending.push(bytes.subarray(position, cut + 1));
          text = Buffer.concat(pending).toString(encoding);
          pending = [];
        } else {
          text = bytes.toString(encoding, position, cut + 1);
        }
        position = cut + 1;
        // `text` ends with '\n': every line in it is complete.
        let lineStart = 0;
        for (let found = text.indexOf('\n'); found !== -1; found = text.indexOf('\n', lineStart)) {
          const lineEnd = !keepCR && found > lineStart && text.charCodeAt(found - 1) === carriageReturn ? found - 1 : found;
          yield text.slice(lineStart, lineEnd);
          lineStart = found + 1;
        }
      }
    }
    if (pending.length > 0) yield Buffer.concat(pending).toString(encoding);
  } finally {
    source.close();
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
