/**
 * The file, window by window: the one place that maps, checks the file's size, drops pages
 * behind the cursor and lets go of windows. Every read function is built on it.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendFor, fromNodeError, Mapping, map } from 'mmapkit';
import type { Backend } from 'mmapkit';
import { pageFaultError, truncatedError } from './errors.js';
import type { CheckedReadOptions, ReadTarget } from './validate.js';

/** One mapped window, cut to the range being read. */
export interface Window {
  /** The window's bytes inside `[start, end)` of the read, as a `Buffer` view. */
  readonly bytes: Buffer;
  /** File offset of `bytes[0]`. */
  readonly offset: number;
}

interface OpenWindow extends Window {
  /** The window's own mapping (undefined when reading from a caller's `Mapping`). */
  readonly mapping: Mapping | undefined;
}

/** Reads a file or a `Mapping` window by window. Not thread-safe; one consumer. */
export class WindowSource {
  /** File offset of the first byte read. */
  readonly start: number;
  /** File offset one past the last byte read. */
  readonly end: number;
  readonly path: string | undefined;
  readonly #options: CheckedReadOptions;
  readonly #given: Mapping | undefined;
  #fd: number | undefined;
  #next: number;
  #current: OpenWindow | undefined;
  /** Whether a chunk of the current window was handed out (it may be held by the consumer). */
  #currentHeld = false;
  #closed = false;
  #backendZeroCopy: boolean | undefined;

  constructor(target: ReadTarget, options: CheckedReadOptions) {
    this.#options = options;
    if (target instanceof Mapping) {
      this.#given = target;
      this.path = target.path;
      this.end = Math.min(options.end ?? target.byteLength, target.byteLength);
    } else {
      this.path = typeof target === 'string' ? target : fileURLToPath(target);
      try {
        this.#fd = openSync(this.path, 'r');
        const size = fstatSync(this.#fd).size;
        this.end = Math.min(options.end ?? size, size);
      } catch (error) {
        this.close();
        throw fromNodeError(error, this.path);
      }
    }
    this.start = Math.min(options.start, this.end);
    this.#next = this.start;
  }

  /** The backend windows are mapped with. */
  get backend(): Backend | undefined {
    return this.#given?.backend ?? this.#current?.mapping?.backend;
  }

  /** Bytes still to come. */
  get remaining(): number {
    return this.end - this.#next;
  }

  /**
   * The next window, after retiring the current one; `undefined` at the end.
   * @param held - whether a chunk of the current window was handed out
   */
  nextWindow(held: boolean): Window | undefined {
    this.#currentHeld ||= held;
    this.#checkFaults();
    this.#retireCurrent();
    if (this.#closed || this.#next >= this.end) return undefined;
    const windowSize = this.#options.windowSize;
    const windowStart = this.#next - (this.#next % windowSize);
    const windowEnd = Math.min(windowStart + windowSize, this.end);
    this.#checkSize(windowEnd);
    const window = this.#map(windowStart, windowEnd);
    this.#current = window;
    this.#currentHeld = false;
    this.#next = windowEnd;
    return window;
  }

  /** Marks the current window as having a chunk handed out. */
  markHeld(): void {
    this.#currentHeld = true;
  }

  /** Lets go of the current window and the file. Chunks handed out stay valid. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#retireCurrent();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #map(windowStart: number, windowEnd: number): OpenWindow {
    const first = this.#next;
    if (this.#given !== undefined) {
      const view = this.#given.view(first, windowEnd - first);
      return { bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength), offset: first, mapping: undefined };
    }
    if (!this.#zeroCopy()) return this.#read(first, windowEnd);
    const mapping = map({ fd: this.#fd as number, offset: windowStart, length: windowEnd - windowStart, ...(this.#options.backend === undefined ? {} : { backend: this.#options.backend }), ...(this.#options.faultGuard === undefined ? {} : { faultGuard: this.#options.faultGuard }) });
    // Not 'populate-read': it gains nothing on a cached file and is 30x slower on a sparse one (native-napi, measured).
    if (mapping.backend.capabilities.advice.includes('sequential')) mapping.advise('sequential');
    const view = mapping.view(first - windowStart, windowEnd - first);
    return { bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength), offset: first, mapping };
  }

  /**
   * Whether the backend's windows are the mapped memory itself. Where they are not
   * (fallback-fs), a window is read into a fresh buffer instead: the same bytes, no `Mapping`
   * kept open for the chunks' sake, and the collector frees it like any buffer.
   */
  #zeroCopy(): boolean {
    this.#backendZeroCopy ??= backendFor(this.#options.backend).capabilities.zeroCopy;
    return this.#backendZeroCopy;
  }

  #read(first: number, windowEnd: number): OpenWindow {
    const bytes = Buffer.allocUnsafeSlow(windowEnd - first);
    let done = 0;
    try {
      while (done < bytes.length) {
        const count = readSync(this.#fd as number, bytes, done, bytes.length - done, first + done);
        if (count === 0) throw truncatedError(this.path, first + done, windowEnd);
        done += count;
      }
    } catch (error) {
      throw fromNodeError(error, this.path);
    }
    return { bytes, offset: first, mapping: undefined };
  }

  /**
   * A window no chunk was taken from is unmapped now. One whose chunks may be held is left to
   * the collector: core's finalizer unmaps it once neither the `Mapping` nor any view of it is
   * reachable. Its pages are dropped first where that keeps held chunks valid.
   */
  #retireCurrent(): void {
    const window = this.#current;
    this.#current = undefined;
    const mapping = window?.mapping;
    if (mapping === undefined || mapping.closed) return;
    if (!this.#currentHeld) {
      mapping.close();
      return;
    }
    const capabilities = mapping.backend.capabilities;
    if (this.#options.dropBehind && capabilities.zeroCopy && capabilities.advice.includes('dontneed')) {
      mapping.unsafeAdvise('dontneed');
    }
  }

  /** The guard saw an access past the end of a truncated file: say so. */
  #checkFaults(): void {
    const mapping = this.#current?.mapping ?? this.#given;
    const fault = mapping?.faults()[0];
    if (fault === undefined) return;
    if (fault.type === 'truncated') throw truncatedError(this.path, this.#currentSize(), this.#next);
    throw pageFaultError(this.path, fault.type, false);
  }

  /** Someone truncated the file below the window about to be mapped: an error instead of a fault. */
  #checkSize(windowEnd: number): void {
    const size = this.#currentSize();
    if (size < windowEnd) throw truncatedError(this.path, size, windowEnd);
  }

  #currentSize(): number {
    try {
      if (this.#fd !== undefined) return fstatSync(this.#fd).size;
      if (this.#given?.path !== undefined) return statSync(this.#given.path).size - this.#given.offset;
    } catch (error) {
      throw fromNodeError(error, this.path);
    }
    return Number.MAX_SAFE_INTEGER;
  }
}
