/**
 * The process's budget of memory-map areas. Linux gives each process at most
 * `vm.max_map_count` areas (65,530 by default), and V8 needs some of them for its own heap,
 * code and threads: when it cannot map memory it aborts the process ("Zone Allocation failed -
 * process out of memory"). So mmapkit stops at a reserve below the limit and throws
 * `ERR_MMAP_TOO_MANY_MAPPINGS` instead.
 *
 * Counting is cheap: each live mapping of a backend that maps memory is one area (the kernel may
 * merge neighbours, or split one with `protect()` or `lock()` of part of it). The areas the rest
 * of the process holds are read once from `/proc/self/maps` at first use and read again only when
 * the estimate reaches the reserve, so that merges, splits, areas freed by V8 and areas taken by
 * other code are seen before refusing.
 *
 * Windows and macOS have no such limit: a process can map views until its address space or
 * commit charge runs out, which the operating system reports as `ENOMEM` (`ERR_MMAP_SYSTEM`).
 * There (and on a Linux without `/proc`) the budget is off: `areaLimit()` is `undefined`.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { tooManyMappings, type MappingCount } from './failures.js';

const limitFile = '/proc/sys/vm/max_map_count';
const areasFile = '/proc/self/maps';
/** The reserve is 10% of the limit, and at least this many areas. */
const smallestReserve = 4096;
const newline = 0x0a;

/** The kernel's limit, or `undefined` where there is none to read (not Linux). */
function readLimit(): number | undefined {
  try {
    const limit = Number.parseInt(readFileSync(limitFile, 'latin1'), 10);
    return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** Where `countAreas` reads `/proc/self/maps`: allocated once, so that counting near the limit needs no new memory. */
let chunk: Uint8Array | undefined;

/**
 * Areas in this process's memory map now: one line each in `/proc/self/maps`, read in chunks
 * into one buffer (the file is ~100 bytes a line: 6 MiB at 65,530 areas); `undefined` when it
 * cannot be read (no `/proc`, or no descriptor left).
 */
function countAreas(): number | undefined {
  chunk ??= new Uint8Array(64 * 1024);
  let fd: number;
  try {
    fd = openSync(areasFile, 'r');
  } catch {
    return undefined;
  }
  try {
    let lines = 0;
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      for (let at = chunk.indexOf(newline); at !== -1 && at < read; at = chunk.indexOf(newline, at + 1)) lines++;
    }
    return lines;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** One thread's budget (see the module comment). */
class MappingBudget {
  /** `null` until read at first use. */
  #limit: number | undefined | null = null;
  #reserve = 0;
  /** Areas of live mappings held through this copy of mmapkit's front. */
  #held = 0;
  /** Mappings held (each of at least one area). */
  #mappings = 0;
  /** Areas of everything else at the last count; negative when the kernel merged ours. */
  #others = 0;
  /** `#held` at the last count: with nothing changed since, the count is not read again. */
  #heldAtCount = 0;
  /** The estimated total of areas at which to count again. */
  #countAgainAt = 0;

  /** `vm.max_map_count`, read once; `undefined` where there is no such limit. */
  limit(): number | undefined {
    if (this.#limit === null) {
      this.#limit = readLimit();
      if (this.#limit !== undefined) {
        this.#reserve = Math.max(Math.ceil(this.#limit / 10), smallestReserve);
        this.#count(this.#limit);
      }
    }
    return this.#limit;
  }

  /**
   * Take `areas` for a mapping about to be made.
   *
   * @throws `ERR_MMAP_TOO_MANY_MAPPINGS` when they would reach into the reserve
   */
  take(areas: number): void {
    if (areas === 0) return;
    const limit = this.limit();
    if (limit !== undefined && this.#others + this.#held + areas >= this.#countAgainAt) {
      if (this.#held !== this.#heldAtCount) this.#count(limit);
      const total = this.#others + this.#held + areas;
      if (total > limit - this.#reserve) throw tooManyMappings(this.#refusal(limit, total));
    }
    this.#held += areas;
    this.#mappings++;
  }

  /** Give back the areas of a mapping that was unmapped (or never made). */
  give(areas: number): void {
    if (areas === 0) return;
    this.#held -= areas;
    this.#mappings--;
  }

  /**
   * The error for an `ENOMEM` from `mmap` (`cause`): `ERR_MMAP_TOO_MANY_MAPPINGS` when the
   * process's areas are in the reserve (so the count is the likely reason), else `undefined`.
   */
  explain(cause: unknown): Error | undefined {
    const limit = this.limit();
    if (limit === undefined) return undefined;
    this.#count(limit);
    const total = this.#others + this.#held + 1;
    return total > limit - this.#reserve ? tooManyMappings(this.#refusal(limit, total), cause) : undefined;
  }

  /** What the budget holds now, for tests and diagnostics. */
  state(): MappingBudgetState {
    const limit = this.limit();
    return { limit, reserve: limit === undefined ? 0 : this.#reserve, held: this.#held, mappings: this.#mappings };
  }

  /**
   * Count the process's areas, and when to count again: after half the headroom left is used,
   * so that areas taken meanwhile by other threads (their own copy of this budget) or by other
   * code are seen before the reserve is, at a few counts per run to the limit.
   */
  #count(limit: number): void {
    const counted = countAreas();
    if (counted !== undefined) this.#others = counted - this.#held;
    this.#heldAtCount = this.#held;
    const estimate = this.#others + this.#held;
    this.#countAgainAt = estimate + Math.max(1, Math.ceil((limit - this.#reserve - estimate) / 2));
  }

  #refusal(limit: number, areas: number): MappingCount {
    return { limit, reserve: this.#reserve, areas, held: this.#mappings };
  }
}

/** What `mappingBudget()` reports. */
export interface MappingBudgetState {
  /** `vm.max_map_count`, or `undefined` where the operating system has no such limit (the budget is off). */
  readonly limit: number | undefined;
  /** Areas kept free for V8 and the rest of the process: 10% of the limit, at least 4,096. */
  readonly reserve: number;
  /** Areas the mappings held through mmapkit use. */
  readonly held: number;
  /** Mappings held through mmapkit (open, or not yet collected). */
  readonly mappings: number;
}

/**
 * The budget of this thread's copy of core. Every copy (a worker's, a duplicate package) counts its
 * own mappings and sees the others' in `/proc/self/maps` when it counts.
 */
export const budget = new MappingBudget();

/** Areas one mapping of `backend` adds to the process's memory map: 1 where it maps memory, 0 for emulation. */
export function areasPerMapping(zeroCopy: boolean): number {
  return zeroCopy ? 1 : 0;
}

/**
 * The process's budget of memory-map areas: the kernel's limit (`vm.max_map_count` on Linux;
 * `undefined` on Windows and macOS, which have none), the reserve mmapkit keeps for V8, and what
 * mmapkit's mappings hold. A mapping that would reach into the reserve throws
 * `ERR_MMAP_TOO_MANY_MAPPINGS`.
 *
 * @example
 * ```ts
 * const { limit, reserve, mappings } = mappingBudget();
 * if (limit !== undefined) console.log(`${mappings} mappings held; ${limit - reserve} areas usable`);
 * ```
 */
export function mappingBudget(): MappingBudgetState {
  return budget.state();
}
