/**
 * The pool's shared bookkeeping, all in one `SharedArrayBuffer` so worker threads that
 * attach see the same state: a small header, one state word and one dirty byte per page,
 * and the frame table (which page each of the pool's `poolPages` frames holds, plus a stack
 * of free frames) that the clock sweeps.
 *
 * Page states change lock-free (`page-state.ts`). The frame table changes only under the
 * table lock, a futex-style word in the header; it is held for bookkeeping only, never
 * across I/O.
 */

import { evicted } from './page-state.js';

const headerWords = 8;
const tableLock = 0;
const freeTop = 1;
const clockHand = 2;
const dirtyCount = 3;

/** The typed arrays over a pool's `SharedArrayBuffer`. */
export class SharedState {
  readonly buffer: SharedArrayBuffer;
  readonly pageCount: number;
  readonly poolPages: number;
  readonly header: Int32Array;
  /** One state word per page (see `page-state.ts`). */
  readonly states: Int32Array;
  /** The page each frame slot holds, or -1. */
  readonly slotPage: Int32Array;
  /** Free slot numbers; `header[freeTop]` of them are valid. */
  readonly freeSlots: Int32Array;
  /** 1 for a dirty page. */
  readonly dirty: Uint8Array;

  private constructor(buffer: SharedArrayBuffer, pageCount: number, poolPages: number) {
    this.buffer = buffer;
    this.pageCount = pageCount;
    this.poolPages = poolPages;
    let offset = 0;
    const take = (words: number): Int32Array => {
      const view = new Int32Array(buffer, offset, words);
      offset += words * 4;
      return view;
    };
    this.header = take(headerWords);
    this.states = take(pageCount);
    this.slotPage = take(poolPages);
    this.freeSlots = take(poolPages);
    this.dirty = new Uint8Array(buffer, offset, pageCount);
  }

  /** New state for `pageCount` pages (all evicted) and `poolPages` free frames. */
  static create(pageCount: number, poolPages: number): SharedState {
    const bytes = (headerWords + pageCount + 2 * poolPages) * 4 + pageCount;
    const state = new SharedState(new SharedArrayBuffer(bytes), pageCount, poolPages);
    state.states.fill(evicted);
    state.slotPage.fill(-1);
    for (let slot = 0; slot < poolPages; slot++) state.freeSlots[slot] = poolPages - 1 - slot;
    state.header[freeTop] = poolPages;
    return state;
  }

  /** The state another thread created, from its buffer. */
  static attach(buffer: SharedArrayBuffer, pageCount: number, poolPages: number): SharedState {
    return new SharedState(buffer, pageCount, poolPages);
  }

  /** Takes the table lock (spins briefly, then sleeps on the word). */
  lockTable(): void {
    for (let spin = 0; ; spin++) {
      if (Atomics.compareExchange(this.header, tableLock, 0, 1) === 0) return;
      if (spin > 64) Atomics.wait(this.header, tableLock, 1, 1);
    }
  }

  unlockTable(): void {
    Atomics.store(this.header, tableLock, 0);
    Atomics.notify(this.header, tableLock, 1);
  }

  /** Pops a free slot (under the table lock), or -1. */
  popFreeSlot(): number {
    const top = this.header[freeTop] ?? 0;
    if (top === 0) return -1;
    this.header[freeTop] = top - 1;
    return this.freeSlots[top - 1] ?? -1;
  }

  /** Pushes a free slot (under the table lock). */
  pushFreeSlot(slot: number): void {
    const top = this.header[freeTop] ?? 0;
    this.freeSlots[top] = slot;
    this.header[freeTop] = top + 1;
    this.slotPage[slot] = -1;
  }

  /** Pages currently holding a frame (loaded or being loaded). */
  get residentPages(): number {
    return this.poolPages - Atomics.load(this.header, freeTop);
  }

  /** The clock hand (under the table lock). */
  get hand(): number {
    return this.header[clockHand] ?? 0;
  }

  set hand(slot: number) {
    this.header[clockHand] = slot;
  }

  get dirtyPages(): number {
    return Atomics.load(this.header, dirtyCount);
  }

  /** Marks a page dirty; true when it was clean. */
  setDirty(page: number): boolean {
    if (Atomics.exchange(this.dirty, page, 1) === 1) return false;
    Atomics.add(this.header, dirtyCount, 1);
    return true;
  }

  /** Marks a page clean; true when it was dirty. */
  clearDirty(page: number): boolean {
    if (Atomics.exchange(this.dirty, page, 0) === 0) return false;
    Atomics.sub(this.header, dirtyCount, 1);
    return true;
  }

  isDirty(page: number): boolean {
    return Atomics.load(this.dirty, page) === 1;
  }
}
