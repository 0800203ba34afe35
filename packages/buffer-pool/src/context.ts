/**
 * What the parts of one pool handle share: the shared state, this thread's frames, the
 * file, the options, and this handle's counters.
 */

import type { PoolFile } from './file-io.js';
import type { Frames } from './frames.js';
import type { SharedState } from './shared-state.js';

/** This handle's counters (reported by `stats()`). */
export interface Counters {
  hits: number;
  misses: number;
  evictions: number;
  stalls: number;
}

export interface PoolContext {
  readonly state: SharedState;
  readonly frames: Frames;
  readonly file: PoolFile;
  readonly evictionBatch: number;
  readonly lockTimeoutMs: number;
  /** True when other threads may share the state (so waiting can help). */
  readonly shared: boolean;
  readonly counters: Counters;
}

/** Sleeps this thread for about `milliseconds` (an `Atomics.wait` on a word nobody notifies). */
export function pause(context: PoolContext, milliseconds: number): void {
  Atomics.wait(context.state.header, 7, 0, milliseconds);
}
