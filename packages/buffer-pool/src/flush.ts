/**
 * `flush()`: every dirty page of the pool is written in offset order (one `pwritev` per run
 * of adjacent pages, at most 256 pages held at a time), then the file is `fsync`ed.
 *
 * Each page is shared-locked while it is written, so no writer changes it half-way; pages
 * this handle holds exclusively are written as they are. A page's dirty mark is cleared
 * before its write (a writer that dirties it again needs the exclusive lock, which waits for
 * ours) and set again when the write fails.
 */

import { BufferPoolError } from './errors.js';
import { pause, type PoolContext } from './context.js';
import type { PinTable } from './pins.js';
import { evicted, releaseShared, stateOf, tryShare } from './page-state.js';

const batchPages = 256;

/** Shared-locks a dirty page for writing; false when it is clean by now (evicted or written by another flush). */
function lockForWrite(context: PoolContext, page: number): boolean {
  const { state } = context;
  let deadline: number | undefined;
  for (;;) {
    if (!state.isDirty(page)) return false;
    const word = Atomics.load(state.states, page);
    if (tryShare(state.states, page, word)) return true;
    if (stateOf(word) === evicted) return false;
    deadline ??= Date.now() + context.lockTimeoutMs;
    if (Date.now() >= deadline) {
      throw new BufferPoolError('ERR_POOL_LOCK_TIMEOUT', `flush() waited ${context.lockTimeoutMs} ms for page ${page}, which another thread holds exclusively.`, { page });
    }
    context.counters.stalls++;
    pause(context, 1);
  }
}

function writeBatch(context: PoolContext, pages: number[], locked: Set<number>): void {
  const { state, frames, file } = context;
  try {
    const toWrite = pages.filter((page) => state.clearDirty(page));
    try {
      file.writePages(toWrite, (page) => frames.view(page));
    } catch (error) {
      for (const page of toWrite) state.setDirty(page);
      throw error;
    }
  } finally {
    for (const page of locked) releaseShared(state.states, page);
    pages.length = 0;
    locked.clear();
  }
}

/** Writes every dirty page and `fsync`s; returns how many pages were written. */
export function flushDirty(context: PoolContext, pins: PinTable): number {
  const { state } = context;
  const pages: number[] = [];
  const locked = new Set<number>();
  let written = 0;
  if (state.dirtyPages > 0) {
    try {
      written = writeDirtyPages(context, pins, pages, locked);
    } catch (error) {
      for (const page of locked) releaseShared(state.states, page);
      throw error;
    }
  }
  context.file.sync();
  return written;
}

function writeDirtyPages(context: PoolContext, pins: PinTable, pages: number[], locked: Set<number>): number {
  const { state } = context;
  let written = 0;
  for (let page = 0; page < state.pageCount; page++) {
      if (state.dirty[page] === 0) continue;
      if (pins.holdsExclusive(page)) {
        pages.push(page);
      } else if (lockForWrite(context, page)) {
        pages.push(page);
        locked.add(page);
      } else {
        continue;
      }
      written++;
      if (pages.length >= batchPages) writeBatch(context, pages, locked);
  }
  if (pages.length > 0) writeBatch(context, pages, locked);
  return written;
}
