/**
 * Making room: the clock (second chance) sweep over the frame table, eviction in batches
 * (dirty pages written back first, in offset order), and taking a free frame for a load.
 *
 * The sweep runs under the table lock but only flips state words: an unlocked page is
 * marked (its second chance), a page still marked when the hand comes back is locked
 * exclusively and becomes a victim. A pin of a marked page takes it as if unlocked, which
 * is how an access clears the mark. I/O (write-back) and `madvise` happen after the lock is
 * dropped, on victims nobody else can touch.
 */

import { BufferPoolError } from './errors.js';
import type { PoolContext } from './context.js';
import { evicted, exclusive, marked, releaseExclusive, stateOf, unlocked, withState } from './page-state.js';

interface Victim {
  readonly page: number;
  readonly slot: number;
}

/** Sweeps the clock and locks up to `evictionBatch` victims. */
function collectVictims(context: PoolContext): Victim[] {
  const { state } = context;
  const victims: Victim[] = [];
  state.lockTable();
  try {
    for (let scanned = 0; scanned < 2 * state.poolPages && victims.length < context.evictionBatch; scanned++) {
      const slot = state.hand;
      state.hand = slot + 1 === state.poolPages ? 0 : slot + 1;
      const page = state.slotPage[slot] ?? -1;
      if (page < 0) continue;
      const word = Atomics.load(state.states, page);
      const pageState = stateOf(word);
      if (pageState === unlocked) {
        Atomics.compareExchange(state.states, page, word, withState(word, marked));
      } else if (pageState === marked && Atomics.compareExchange(state.states, page, word, withState(word, exclusive)) === word) {
        victims.push({ page, slot });
      }
    }
  } finally {
    state.unlockTable();
  }
  return victims;
}

/**
 * Writes back and drops `victims` (locked exclusively by the caller): dirty ones are
 * written in offset order, then memory is returned in runs of adjacent pages, then the
 * pages become evicted and their frames free.
 */
function dropVictims(context: PoolContext, victims: Victim[]): void {
  const { state, frames, file } = context;
  victims.sort((left, right) => left.page - right.page);
  const dirtyPages = victims.filter((victim) => state.isDirty(victim.page)).map((victim) => victim.page);
  try {
    file.writePages(dirtyPages, (page) => frames.view(page));
  } catch (error) {
    // Nothing was dropped: the victims stay resident (and dirty) and are unlocked again.
    for (const victim of victims) releaseExclusive(state.states, victim.page, unlocked);
    throw error;
  }
  for (const page of dirtyPages) state.clearDirty(page);
  let runStart = 0;
  while (runStart < victims.length) {
    let runEnd = runStart + 1;
    while (runEnd < victims.length && (victims[runEnd]?.page ?? 0) === (victims[runEnd - 1]?.page ?? 0) + 1) runEnd++;
    frames.release(victims[runStart]?.page ?? 0, runEnd - runStart);
    runStart = runEnd;
  }
  // Frames are freed before the pages unlock: once a page is evicted another thread may
  // load it into a different frame, and the old frame must not still name it.
  state.lockTable();
  for (const victim of victims) state.pushFreeSlot(victim.slot);
  state.unlockTable();
  for (const victim of victims) releaseExclusive(state.states, victim.page, evicted);
  context.counters.evictions += victims.length;
}

/** Evicts one batch; returns how many pages it evicted (0 when every resident page is pinned or locked). */
export function evictBatch(context: PoolContext): number {
  const victims = collectVictims(context);
  if (victims.length > 0) dropVictims(context, victims);
  return victims.length;
}

/** Evicts `page` now if it is resident and unpinned; true when it did. */
export function evictPage(context: PoolContext, page: number): boolean {
  const { state } = context;
  const word = Atomics.load(state.states, page);
  const pageState = stateOf(word);
  if (pageState !== unlocked && pageState !== marked) return false;
  if (Atomics.compareExchange(state.states, page, word, withState(word, exclusive)) !== word) return false;
  state.lockTable();
  const slot = state.slotPage.indexOf(page);
  state.unlockTable();
  if (slot < 0) {
    releaseExclusive(state.states, page, unlocked);
    return false;
  }
  dropVictims(context, [{ page, slot }]);
  return true;
}

/**
 * A free frame for `page` (recorded in the frame table), evicting a batch when the pool is
 * full. Returns -1 when nothing can be evicted now but other threads may free frames soon
 * (shared pools: the caller waits and retries); throws `ERR_POOL_EXHAUSTED` when nothing
 * can be evicted and no other thread exists.
 */
export function tryTakeFrame(context: PoolContext, page: number): number {
  const { state } = context;
  for (;;) {
    state.lockTable();
    const slot = state.popFreeSlot();
    if (slot >= 0) state.slotPage[slot] = page;
    state.unlockTable();
    if (slot >= 0) return slot;
    if (evictBatch(context) > 0) continue;
    if (context.shared) return -1;
    throw exhausted(context, page);
  }
}

/** The `ERR_POOL_EXHAUSTED` error for `page`. */
export function exhausted(context: PoolContext, page: number): BufferPoolError {
  const { poolPages } = context.state;
  return new BufferPoolError(
    'ERR_POOL_EXHAUSTED',
    `Cannot load page ${page}: all ${poolPages} frames of the pool hold pinned or locked pages. Unpin pages, or open the pool with a larger poolBytes.`,
    { page },
  );
}

/** Gives back the frame of a page whose load failed, and marks the page evicted again. */
export function abandonLoad(context: PoolContext, page: number, slot: number): void {
  const { state, frames } = context;
  frames.release(page, 1);
  state.lockTable();
  state.pushFreeSlot(slot);
  state.unlockTable();
  releaseExclusive(state.states, page, evicted);
}
