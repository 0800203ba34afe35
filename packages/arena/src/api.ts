/**
 * The types of `@mmapkit/arena`: options, statistics and check results. Behaviour lives in
 * `arena.ts`; this file only says what things are.
 *
 * @packageDocumentation
 */
import type { Backend, BackendName, SharedMemory } from 'mmapkit';

/** Options shared by `Arena.create()` and `Arena.open()`. */
export interface CommonArenaOptions {
  /**
   * The backend to map with: a name (`'native-napi'`, `'ffi-koffi'`, `'fallback-fs'`) or a
   * `Backend`. What the arena can do follows from its `capabilities`: sharing between
   * processes needs `crossProcessAtomics` and `coherentVisibility` (not the fs backend).
   * @defaultValue mmapkit's process default
   */
  backend?: BackendName | Backend;
  /**
   * Milliseconds after a free before the pages of large free blocks go back to the
   * operating system. `0` gives them back at once; `Infinity` only on `purge()`.
   * @defaultValue `500`
   */
  purgeDelay?: number;
  /**
   * Free blocks at least this large (bytes) have their whole pages given back.
   * @defaultValue `65536`
   */
  purgeThreshold?: number;
}

/** Options of `Arena.create()`: give `reserve` (anonymous memory), `path` or `sharedMemory`. */
export interface CreateArenaOptions extends CommonArenaOptions {
  /**
   * Bytes of anonymous, private address space to reserve (`MAP_NORESERVE`; nothing is
   * committed until used). Up to 1 TiB and more on 64-bit Linux.
   */
  reserve?: number;
  /** A file to keep the heap in (created; an existing non-empty file is refused). */
  path?: string | URL;
  /**
   * Shared memory to keep the heap in: a `SharedMemory` (anonymous or named), or a name for
   * new named shared memory (`SharedMemory.createNamed`).
   */
  sharedMemory?: SharedMemory | string;
  /** Bytes of the file or shared memory (with `path` or `sharedMemory`). */
  size?: number;
  /**
   * With `path`: extend an existing empty or short file to `size` (sparsely) instead of
   * refusing it.
   * @defaultValue `true`
   */
  grow?: boolean;
}

/** Options of `Arena.open()`: give `path` or `sharedMemory`. */
export interface OpenArenaOptions extends CommonArenaOptions {
  /** The file of an arena made by `Arena.create({ path })`. */
  path?: string | URL;
  /** Shared memory holding an arena: a `SharedMemory`, or the name of named shared memory. */
  sharedMemory?: SharedMemory | string;
}

/** Options of `alloc()`, `tryAlloc()` and `realloc()`. */
export interface AllocOptions {
  /**
   * Alignment of the returned offset: a power of two up to 2 MiB.
   * @defaultValue `16`
   */
  align?: number;
}

/** Blocks in use of one size class. */
export interface SizeClassCount {
  /** Largest request that lands in this class (bytes). */
  readonly maxSize: number;
  /** Blocks in use in it. */
  readonly blocks: number;
}

/** What `stats()` reports. */
export interface ArenaStats {
  /** Bytes of the mapping (the reserve, the file or the shared memory). */
  readonly size: number;
  /** Bytes asked by the blocks in use. */
  readonly requestedBytes: number;
  /** Bytes the blocks in use take, headers and rounding included. */
  readonly usedBytes: number;
  /** Bytes that can still be allocated in total (not necessarily in one block). */
  readonly freeBytes: number;
  /** The largest single request that would succeed now. */
  readonly largestFreeBlock: number;
  /** Blocks in use. */
  readonly blocks: number;
  /** Blocks in use per size class (classes with none left out). */
  readonly sizeClasses: readonly SizeClassCount[];
  /** Bytes of the mapping resident in memory, or `undefined` when the backend cannot tell. */
  readonly residentBytes: number | undefined;
  /** How many times a repair ran (after a process died holding the lock). */
  readonly repairs: number;
  /** Bytes of large free blocks waiting to be given back to the operating system. */
  readonly pendingPurgeBytes: number;
  /** How free pages go back to the OS: `'dontneed'`, `'remove'`, or `'none'` when they cannot. */
  readonly purgeAdvice: 'dontneed' | 'remove' | 'none';
}

/** One inconsistency found by `check()`. */
export interface ArenaProblem {
  /** Offset in the arena of the block or structure concerned (0 for the header). */
  readonly offset: number;
  /** What is wrong. */
  readonly problem: string;
}

/** What an arena is kept in. */
export type ArenaKind = 'anonymous' | 'file' | 'shared-memory';
