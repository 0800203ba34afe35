/** Option types of `@mmapkit/streams`. */
import type { Backend, BackendName } from 'mmapkit';

/** Options of `createReadStream()`, `chunks()`, `toWebStream()`, `lineOffsets()` and `scanLines()`. */
export interface ReadOptions {
  /** First byte to read (any byte, not only aligned ones). @defaultValue `0` */
  start?: number;
  /** One past the last byte to read (exclusive, unlike `fs.createReadStream`). @defaultValue the file's size */
  end?: number;
  /** Largest chunk in bytes; a chunk never spans two windows. @defaultValue 4 MiB (or the window size if smaller) */
  chunkSize?: number;
  /** Bytes mapped at a time, a multiple of the allocation granularity (4 KiB on Linux, 64 KiB on Windows). @defaultValue 32 MiB */
  windowSize?: number;
  /** Hand out copies instead of views into the mapping (for consumers that keep chunks a long time). @defaultValue `false` */
  copy?: boolean;
  /**
   * Drop the pages of a window behind the cursor (`madvise(MADV_DONTNEED)` on a read-only
   * shared mapping, where the pages come back from the file if a held chunk reads them again),
   * on backends whose views are the mapped memory (`capabilities.zeroCopy`) and list `'dontneed'`.
   * @defaultValue `true`
   */
  dropBehind?: boolean;
  /** The backend to map with, by name or object. Ignored when a `Mapping` is given. @defaultValue mmapkit's process default */
  backend?: BackendName | Backend;
  /**
   * Map windows with the fault guard (native-napi only), which turns an access to a page the
   * file no longer has (or a page that cannot be stored) into an error instead of `SIGBUS`.
   * It makes first touches of pages several times slower (measured: 2 GiB of sparse pages
   * 1.6 s with it, 0.27 s without). @defaultValue mmapkit's default: on where the backend has it
   */
  faultGuard?: boolean;
}

/** Options of `lines()`: `ReadOptions` plus decoding. */
export interface LinesOptions extends ReadOptions {
  /** How lines are decoded. @defaultValue `'utf8'` */
  encoding?: 'utf8' | 'utf-8' | 'latin1' | 'ascii';
  /** Keep the `\r` of a `\r\n` line ending. @defaultValue `false` */
  keepCR?: boolean;
}

/** Options of `scanLines()` and `lineOffsets()`. */
export interface ScanOptions extends ReadOptions {
  /** Count a `\r` before `\n` as part of the line. @defaultValue `false` */
  keepCR?: boolean;
}

/** A line as a byte range of the file: `[start, end)`, without its line ending. */
export interface LineRange {
  /** First byte of the line. */
  readonly start: number;
  /** One past its last byte (the `\n`, or the `\r` of `\r\n`, is not included). */
  readonly end: number;
}

/** Options of `createWriteStream()`. */
export interface WriteOptions {
  /** `'w'` create or truncate; `'r+'` write into an existing file; `'a'` append (create if missing). @defaultValue `'w'` */
  flags?: 'w' | 'r+' | 'a';
  /** Byte offset of the first write (with `'a'`, the file's size). @defaultValue `0` */
  start?: number;
  /** Permission bits of a created file. @defaultValue `0o666` (before the umask) */
  mode?: number;
  /** The file grows by this many bytes at a time, each step mapped as one window; a multiple of the allocation granularity. @defaultValue 32 MiB */
  growBy?: number;
  /** `fsync` the file when the stream finishes. @defaultValue `true` */
  fsync?: boolean;
  /** The backend to map with. @defaultValue mmapkit's process default */
  backend?: BackendName | Backend;
  /**
   * Map windows with the fault guard (native-napi only), which turns an access to a page the
   * file no longer has (or a page that cannot be stored) into an error instead of `SIGBUS`.
   * It makes first touches of pages several times slower (measured: 2 GiB of sparse pages
   * 1.6 s with it, 0.27 s without). @defaultValue mmapkit's default: on where the backend has it
   */
  faultGuard?: boolean;
}
