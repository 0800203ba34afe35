/**
 * Per-page bookkeeping of one mapping: which pages have been loaded from the file, and
 * which protection each page has been given (bookkeeping only: nothing enforces it).
 *
 * @packageDocumentation
 */

import type { Protection } from '@mmapkit/core';

/** A half-open range of page indexes `[first, end)`. */
export interface PageRun {
  readonly first: number;
  readonly end: number;
}

const protectionCodes: Record<Protection, number> = { none: 0, read: 1, 'read-write': 2 };
const readWriteCode = protectionCodes['read-write'];

/** The page state of one mapped region. */
export class PageTable {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Pages in the region (the last one may be partial). */
  readonly pageCount: number;
  /** One byte per page: 1 once the page holds the file's bytes (or is in use, for anonymous memory). */
  readonly #loaded: Uint8Array;
  /** One byte per page: the `Protection` it was given, as a code. */
  readonly #protection: Uint8Array;

  constructor(regionLength: number, pageSize: number, protection: Protection) {
    this.pageSize = pageSize;
    this.pageCount = Math.ceil(regionLength / pageSize);
    this.#loaded = new Uint8Array(this.pageCount);
    this.#protection = new Uint8Array(this.pageCount).fill(protectionCodes[protection]);
  }

  /** The pages touched by region bytes `[offset, offset + length)`. */
  pagesOf(offset: number, length: number): PageRun {
    return { first: Math.floor(offset / this.pageSize), end: Math.ceil((offset + length) / this.pageSize) };
  }

  /** Marks pages `[first, end)` loaded. */
  markLoaded(run: PageRun): void {
    this.#loaded.fill(1, run.first, run.end);
  }

  /** True when page `page` is loaded. */
  isLoaded(page: number): boolean {
    return this.#loaded[page] === 1;
  }

  /** One byte per page of `run`: 1 if loaded, 0 if not (a copy). */
  loadedMap(run: PageRun): Uint8Array {
    return this.#loaded.slice(run.first, run.end);
  }

  /** Sets the protection of pages `[first, end)`. */
  protect(run: PageRun, protection: Protection): void {
    this.#protection.fill(protectionCodes[protection], run.first, run.end);
  }

  /** Maximal runs of not-yet-loaded pages inside `run`. */
  unloadedRuns(run: PageRun): PageRun[] {
    return this.#runsWhere(run, (page) => this.#loaded[page] !== 1);
  }

  /** Maximal runs of loaded pages inside `run`. */
  loadedRuns(run: PageRun): PageRun[] {
    return this.#runsWhere(run, (page) => this.#loaded[page] === 1);
  }

  /** Maximal runs of loaded pages inside `run` whose protection is `'read-write'`. */
  writableLoadedRuns(run: PageRun): PageRun[] {
    return this.#runsWhere(run, (page) => this.#loaded[page] === 1 && this.#protection[page] === readWriteCode);
  }

  #runsWhere(run: PageRun, selected: (page: number) => boolean): PageRun[] {
    const runs: PageRun[] = [];
    let runFirst = -1;
    for (let page = run.first; page < run.end; page++) {
      if (selected(page)) {
        if (runFirst < 0) runFirst = page;
      } else if (runFirst >= 0) {
        runs.push({ first: runFirst, end: page });
        runFirst = -1;
      }
    }
    if (runFirst >= 0) runs.push({ first: runFirst, end: run.end });
    return runs;
  }
}
