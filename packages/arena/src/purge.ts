/**
 * Giving the pages of large free blocks back to the operating system, after a delay (like
 * jemalloc's and mimalloc's decay), in passes of at least 2 MiB.
 *
 * The mechanism depends on the memory: private anonymous pages are dropped with
 * `MADV_DONTNEED` (`'dontneed'`); pages of shared memory and of files need
 * `MADV_REMOVE` (`'remove'`), which also punches a hole in the file so its allocated
 * blocks (`st_blocks`) go down. Only whole pages strictly inside a free block are given
 * back: its header and free-list links stay.
 */
import type { Mapping } from 'mmapkit';
import type { Heap } from './heap.js';
import { freeState, granule, headerBytes } from './layout.js';

/** Smallest total a timed purge pass gives back (an explicit `purge()` gives back any amount). */
export const purgeBatchBytes = 2 * 1024 * 1024;

export type PurgeAdvice = 'dontneed' | 'remove' | 'none';

/** Which advice really frees memory of this kind, if the backend offers it. */
export function purgeAdviceFor(mapping: Mapping): PurgeAdvice {
  const wanted = mapping.anonymous && mapping.sharing === 'private' ? 'dontneed' : 'remove';
  return mapping.backend.capabilities.advice.includes(wanted) ? wanted : 'none';
}

export class Purger {
  readonly #heap: Heap;
  readonly #mapping: Mapping;
  readonly #delay: number;
  readonly #underLock: <T>(action: () => T) => T;
  readonly #pending = new Set<number>();
  #advice: PurgeAdvice;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(heap: Heap, mapping: Mapping, delay: number, threshold: number, underLock: <T>(action: () => T) => T) {
    this.#heap = heap;
    this.#mapping = mapping;
    this.#delay = delay;
    this.#underLock = underLock;
    this.#advice = purgeAdviceFor(mapping);
    if (this.#advice !== 'none') {
      heap.largeFreeBytes = threshold;
      heap.onLargeFree = (header) => this.#note(header);
    }
  }

  get advice(): PurgeAdvice {
    return this.#advice;
  }

  /** Bytes of free blocks waiting (their whole size, an upper bound of what will be given back). */
  pendingBytes(): number {
    let total = 0;
    for (const header of this.#pending) {
      const segment = this.#heap.segment(header);
      const word = (header - segment.base) >>> 2;
      if (((segment.i32[word + 1] as number) & 3) === freeState) total += (segment.i32[word] as number) * granule;
    }
    return total;
  }

  #note(header: number): void {
    this.#pending.add(header);
    if (this.#timer !== undefined || !Number.isFinite(this.#delay)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#underLock(() => this.run(false));
    }, this.#delay);
    this.#timer.unref();
  }

  /**
   * Gives back the pages of the pending free blocks that are still free. Without `force`,
   * does nothing unless at least `purgeBatchBytes` would go. Call under the arena's lock.
   * Returns the bytes given back.
   */
  run(force: boolean): number {
    if (this.#advice === 'none' || this.#pending.size === 0) return 0;
    const ranges = this.#ranges();
    let total = 0;
    for (const [, length] of ranges) total += length;
    if (!force && total < purgeBatchBytes) return 0;
    this.#pending.clear();
    for (const [offset, length, header] of ranges) {
      const segment = this.#heap.segment(header);
      segment.i32[((header - segment.base) >>> 2) + 3] = 1;
      try {
        this.#mapping.unsafeAdvise(this.#advice as 'dontneed' | 'remove', { offset, length });
      } catch {
        // EOPNOTSUPP/EINVAL: this file system cannot punch holes. Stop trying; the memory
        // stays committed (stats().purgeAdvice says 'none').
        this.#advice = 'none';
        this.#heap.onLargeFree = undefined;
        return 0;
      }
    }
    return total;
  }

  #ranges(): Array<[offset: number, length: number, header: number]> {
    const page = this.#mapping.backend.pageSize;
    const ranges: Array<[number, number, number]> = [];
    for (const header of this.#pending) {
      const segment = this.#heap.segment(header);
      const word = (header - segment.base) >>> 2;
      if (((segment.i32[word + 1] as number) & 3) !== freeState || ((segment.i32[word + 1] as number) & -4) !== this.#heap.tagOf(header)) continue;
      const start = Math.ceil((header + 2 * headerBytes) / page) * page;
      const end = Math.floor((header + (segment.i32[word] as number) * granule) / page) * page;
      if (end - start >= page) ranges.push([start, end - start, header]);
    }
    return ranges;
  }

  /** Stops the timer (the arena is closing). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}
