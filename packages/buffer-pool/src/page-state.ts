/**
 * The page-state word, as in vmcache (Leis et al., SIGMOD 2023): one `Int32` per page,
 * driven with `Atomics` so every thread sharing the pool sees one state.
 *
 * ```
 *  bits 31..8: version (24 bits, wraps)   bits 7..0: state
 *  state 0        unlocked
 *  state 1..252   shared-locked, the value is the number of holders
 *  state 253      exclusively locked (a writer, or a load/eviction in progress)
 *  state 254      marked: unlocked, and the clock has passed once (second chance)
 *  state 255      evicted: not resident; the frame reads as zeros
 * ```
 *
 * The version changes whenever the page's bytes may have changed (exclusive unlock,
 * eviction, load), so an optimistic reader that sees the same version before and after
 * read a consistent page.
 */

export const unlocked = 0;
export const maxShared = 252;
export const exclusive = 253;
export const marked = 254;
export const evicted = 255;

/** The state bits of a word. */
export function stateOf(word: number): number {
  return word & 0xff;
}

/** The version bits of a word. */
export function versionOf(word: number): number {
  return word >>> 8;
}

/** A word with the same version and a new state. */
export function withState(word: number, state: number): number {
  return (word & ~0xff) | state;
}

/** A word with the next version and a new state. */
export function nextVersion(word: number, state: number): number {
  return ((((word >>> 8) + 1) & 0xffffff) << 8) | state;
}

/** True when the state is unlocked or marked: a pin may take it. */
export function isFree(state: number): boolean {
  return state === unlocked || state === marked;
}

/** Tries once to add a shared holder; true on success. */
export function tryShare(states: Int32Array, page: number, word: number): boolean {
  const state = stateOf(word);
  let next: number;
  if (isFree(state)) next = withState(word, 1);
  else if (state >= 1 && state < maxShared) next = word + 1;
  else return false;
  return Atomics.compareExchange(states, page, word, next) === word;
}

/** Tries once to lock exclusively a resident, unpinned page; true on success. */
export function tryExclusive(states: Int32Array, page: number, word: number): boolean {
  if (!isFree(stateOf(word))) return false;
  return Atomics.compareExchange(states, page, word, withState(word, exclusive)) === word;
}

/** Removes one shared holder (the caller checked it holds one). */
export function releaseShared(states: Int32Array, page: number): void {
  for (;;) {
    const word = Atomics.load(states, page);
    const state = stateOf(word);
    const next = state === 1 ? withState(word, unlocked) : word - 1;
    if (Atomics.compareExchange(states, page, word, next) === word) return;
  }
}

/** Ends an exclusive lock with a new version and `state`, and wakes waiters. */
export function releaseExclusive(states: Int32Array, page: number, state: number): void {
  Atomics.store(states, page, nextVersion(Atomics.load(states, page), state));
  Atomics.notify(states, page);
}
