/**
 * Loading an evicted page: lock it exclusively (so exactly one thread loads it), take a
 * frame (evicting a batch when the pool is full), read the page from the file into its
 * frame. The page is left locked exclusively; the caller turns that into its pin.
 */

import type { PoolContext } from './context.js';
import { pause } from './context.js';
import { abandonLoad, exhausted, tryTakeFrame } from './eviction.js';
import { exclusive, withState } from './page-state.js';

/** How long a thread sleeps between attempts while other threads hold every frame. */
const frameWaitMs = 1;

function takeFrameSync(context: PoolContext, page: number): number {
  let deadline: number | undefined;
  for (;;) {
    const slot = tryTakeFrame(context, page);
    if (slot >= 0) return slot;
    deadline ??= Date.now() + context.lockTimeoutMs;
    if (Date.now() >= deadline) throw exhausted(context, page);
    context.counters.stalls++;
    pause(context, frameWaitMs);
  }
}

async function takeFrameAsync(context: PoolContext, page: number): Promise<number> {
  let deadline: number | undefined;
  for (;;) {
    const slot = tryTakeFrame(context, page);
    if (slot >= 0) return slot;
    deadline ??= Date.now() + context.lockTimeoutMs;
    if (Date.now() >= deadline) throw exhausted(context, page);
    context.counters.stalls++;
    await new Promise((resolve) => setTimeout(resolve, frameWaitMs));
  }
}

/** Locks the evicted `page` (whose state word was `word`); false when another thread got there first. */
function lockEvicted(context: PoolContext, page: number, word: number): boolean {
  return Atomics.compareExchange(context.state.states, page, word, withState(word, exclusive)) === word;
}

/**
 * Loads the evicted `page`, blocking this thread on the read. True when this thread loaded
 * it (now locked exclusively); false when it lost the race for the page.
 */
export function loadSync(context: PoolContext, page: number, word: number): boolean {
  if (!lockEvicted(context, page, word)) return false;
  let slot: number;
  try {
    slot = takeFrameSync(context, page);
  } catch (error) {
    Atomics.store(context.state.states, page, word);
    Atomics.notify(context.state.states, page);
    throw error;
  }
  try {
    context.file.readPage(page, context.frames.view(page));
  } catch (error) {
    abandonLoad(context, page, slot);
    throw error;
  }
  context.counters.misses++;
  return true;
}

/** Like `loadSync()`, with the read on the libuv thread pool straight into the frame. */
export async function loadAsync(context: PoolContext, page: number, word: number): Promise<boolean> {
  if (!lockEvicted(context, page, word)) return false;
  let slot: number;
  try {
    slot = await takeFrameAsync(context, page);
  } catch (error) {
    Atomics.store(context.state.states, page, word);
    Atomics.notify(context.state.states, page);
    throw error;
  }
  try {
    await context.file.readPageAsync(page, context.frames.view(page));
  } catch (error) {
    abandonLoad(context, page, slot);
    throw error;
  }
  context.counters.misses++;
  return true;
}
