/**
 * The allocator itself: two-level segregated fit (TLSF) over blocks with boundary tags, all
 * of its state in the mapping (see `layout.ts`). O(1) allocation and free: a size maps to a
 * (first level, second level) free list; two bitmaps find the first non-empty list that is
 * large enough; free merges with both physical neighbours at once.
 *
 * Crash safety: every write of a boundary tag (the four header words) goes through
 * `#set`, which first appends (word offset, old value) to the journal in the mapping.
 * `commit()` empties the journal at the end of an operation. A process killed in the middle
 * of an operation leaves a journal: `rebuild()` rolls the tags back (so the operation either
 * happened completely or not at all) and then rebuilds free lists, bitmaps and counters from
 * the tags alone. Free lists and counters are never journaled: they are always rebuilt.
 *
 * Nothing here locks or validates arguments: `Arena` does both.
 */
import { corruptError } from './errors.js';
import {
  classCountWord,
  firstLevelBitmapWord,
  firstLevelCount,
  formattedWord,
  freeState,
  granule,
  headerBytes,
  headsSlot,
  journalCapacity,
  journalLengthWord,
  journalSlot,
  metadataBytes,
  minimumBlockGranules,
  repairsSlot,
  repairWord,
  requestedBytesSlot,
  secondLevelBitmapWord,
  secondLevelCount,
  usedBlocksSlot,
  usedGranulesSlot,
  usedState,
} from './layout.js';

/** Typed views over one segment of the mapping. */
export interface Segment {
  /** Offset of the segment's first byte in the arena. */
  readonly base: number;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
}

/** One inconsistency found by `check()`. */
export interface HeapProblem {
  /** Offset (in the arena) of the block or structure concerned. */
  readonly offset: number;
  /** What is wrong. */
  readonly problem: string;
}

/** How the heap reaches the mapping: one `Uint8Array` per segment, on demand. */
export type SegmentViewer = (index: number, offset: number, length: number) => Uint8Array;

/** The first set bit of a non-zero 32-bit value. */
function lowestBit(value: number): number {
  return 31 - Math.clz32(value & -value);
}

/** First level of a block of `granules`. */
function firstLevelOf(granules: number): number {
  return granules < secondLevelCount ? 0 : 31 - Math.clz32(granules) - 4;
}

/** Second level of a block of `granules` (its class within its first level). */
function secondLevelOf(granules: number): number {
  if (granules < secondLevelCount) return granules;
  return (granules >>> (31 - Math.clz32(granules) - 5)) - secondLevelCount;
}

/** The free-list head slot for blocks of `granules`. */
function listSlotOf(granules: number): number {
  return headsSlot + firstLevelOf(granules) * secondLevelCount + secondLevelOf(granules);
}

export class Heap {
  readonly size: number;
  readonly segmentBytes: number;
  readonly segmentCount: number;
  readonly salt: number;
  /** Journal every tag write (shared or file-backed arenas). */
  readonly journaling: boolean;
  /** Called after a free leaves a free block of at least `largeFreeBytes`. */
  onLargeFree: ((header: number) => void) | undefined;
  largeFreeBytes = Number.POSITIVE_INFINITY;

  readonly #segments: Array<Segment | undefined>;
  readonly #viewer: SegmentViewer;
  readonly #control32: Int32Array;
  readonly #control64: Float64Array;
  readonly #single: boolean;
  /** Result slots of `#findUsed` (no allocation per call). */
  #foundSegment: Segment | undefined;
  #foundWord = 0;

  constructor(viewer: SegmentViewer, size: number, segmentShift: number, salt: number, journaling: boolean) {
    this.size = size;
    this.segmentBytes = 2 ** segmentShift;
    this.segmentCount = Math.ceil(size / this.segmentBytes);
    this.salt = salt;
    this.journaling = journaling;
    this.#viewer = viewer;
    this.#single = this.segmentCount === 1;
    this.#segments = new Array<Segment | undefined>(this.segmentCount);
    const first = this.#open(0);
    this.#control32 = first.i32;
    this.#control64 = first.f64;
  }

  /** The typed views of the segment holding arena offset `offset`. */
  segment(offset: number): Segment {
    const index = this.#single ? 0 : Math.floor(offset / this.segmentBytes);
    return this.#segments[index] ?? this.#open(index);
  }

  /** Number of segments formatted so far (the heap grows segment by segment). */
  get formattedSegments(): number {
    return Atomics.load(this.#control32, formattedWord);
  }

  /** The largest request `allocate()` can ever satisfy. */
  get maxAllocation(): number {
    const firstCapacity = Math.min(this.size, this.segmentBytes) - metadataBytes;
    const capacity = this.segmentCount > 1 ? Math.max(firstCapacity, this.#segmentEnd(1) - this.segmentBytes) : firstCapacity;
    return capacity - 2 * headerBytes;
  }

  #open(index: number): Segment {
    const base = index * this.segmentBytes;
    const u8 = this.#viewer(index, base, this.#segmentEnd(index) - base);
    const segment: Segment = {
      base,
      u8,
      i32: new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2),
      f64: new Float64Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 3),
    };
    this.#segments[index] = segment;
    return segment;
  }

  #segmentEnd(index: number): number {
    return Math.min(this.size, (index + 1) * this.segmentBytes);
  }

  #firstHeader(index: number): number {
    return index === 0 ? metadataBytes : index * this.segmentBytes;
  }

  /** The state word of a block: salted with its offset, so a stray offset rarely looks valid. */
  tagOf(header: number): number {
    return (((header / granule) >>> 0) ^ this.salt) & -4;
  }

  // ---------------------------------------------------------------- journal

  #set(segment: Segment, word: number, value: number): void {
    if (this.journaling) {
      const control32 = this.#control32;
      const length = control32[journalLengthWord] as number;
      if (length >= journalCapacity) throw corruptError(`an operation wrote more than ${journalCapacity} boundary tags`);
      const entry = journalSlot + 2 * length;
      this.#control64[entry] = segment.base + word * 4;
      this.#control64[entry + 1] = segment.i32[word] as number;
      Atomics.store(control32, journalLengthWord, length + 1);
    }
    segment.i32[word] = value;
  }

  /** Ends an operation: its tag writes are final. */
  commit(): void {
    if (this.journaling) Atomics.store(this.#control32, journalLengthWord, 0);
  }

  /** Undoes the tag writes of an operation cut off midway. Returns how many words it restored. */
  #rollBack(): number {
    const length = Math.min(Atomics.load(this.#control32, journalLengthWord), journalCapacity);
    for (let index = length - 1; index >= 0; index--) {
      const offset = this.#control64[journalSlot + 2 * index] as number;
      const old = this.#control64[journalSlot + 2 * index + 1] as number;
      if (!(offset >= metadataBytes && offset < this.size && offset % 4 === 0)) throw corruptError(`journal entry ${index} names offset ${offset}`);
      const segment = this.segment(offset);
      segment.i32[(offset - segment.base) >>> 2] = old;
    }
    Atomics.store(this.#control32, journalLengthWord, 0);
    return length;
  }

  // ------------------------------------------------------------- free lists

  #insert(segment: Segment, header: number, granules: number): void {
    const firstLevel = firstLevelOf(granules);
    const secondLevel = secondLevelOf(granules);
    const control64 = this.#control64;
    const slot = headsSlot + firstLevel * secondLevelCount + secondLevel;
    const head = control64[slot] as number;
    const link = ((header - segment.base) >>> 3) + 2;
    segment.f64[link] = head;
    segment.f64[link + 1] = 0;
    if (head !== 0) {
      const headSegment = this.#single ? segment : this.segment(head);
      headSegment.f64[((head - headSegment.base) >>> 3) + 3] = header;
    }
    control64[slot] = header;
    const control32 = this.#control32;
    control32[firstLevelBitmapWord] = (control32[firstLevelBitmapWord] as number) | (1 << firstLevel);
    control32[secondLevelBitmapWord + firstLevel] = (control32[secondLevelBitmapWord + firstLevel] as number) | (1 << secondLevel);
  }

  #remove(segment: Segment, header: number, granules: number): void {
    const firstLevel = firstLevelOf(granules);
    const secondLevel = secondLevelOf(granules);
    const link = ((header - segment.base) >>> 3) + 2;
    const next = segment.f64[link] as number;
    const previous = segment.f64[link + 1] as number;
    if (next !== 0) {
      const nextSegment = this.#single ? segment : this.segment(next);
      nextSegment.f64[((next - nextSegment.base) >>> 3) + 3] = previous;
    }
    if (previous !== 0) {
      const previousSegment = this.#single ? segment : this.segment(previous);
      previousSegment.f64[((previous - previousSegment.base) >>> 3) + 2] = next;
      return;
    }
    this.#control64[headsSlot + firstLevel * secondLevelCount + secondLevel] = next;
    if (next === 0) {
      const control32 = this.#control32;
      const remaining = (control32[secondLevelBitmapWord + firstLevel] as number) & ~(1 << secondLevel);
      control32[secondLevelBitmapWord + firstLevel] = remaining;
      if (remaining === 0) control32[firstLevelBitmapWord] = (control32[firstLevelBitmapWord] as number) & ~(1 << firstLevel);
    }
  }

  /** A free block of at least `granules` from the bitmaps (good fit), or 0. */
  #findFree(granules: number): number {
    let firstLevel: number;
    let secondLevel: number;
    if (granules < secondLevelCount) {
      firstLevel = 0;
      secondLevel = granules;
    } else {
      const rounded = granules + (1 << (31 - Math.clz32(granules) - 5)) - 1;
      const top = 31 - Math.clz32(rounded);
      firstLevel = top - 4;
      secondLevel = (rounded >>> (top - 5)) - secondLevelCount;
    }
    if (firstLevel >= firstLevelCount) return 0;
    const control32 = this.#control32;
    let secondMap = (control32[secondLevelBitmapWord + firstLevel] as number) & (-1 << secondLevel);
    if (secondMap === 0) {
      const firstMap = firstLevel + 1 >= 32 ? 0 : (control32[firstLevelBitmapWord] as number) & (-1 << (firstLevel + 1));
      if (firstMap === 0) return 0;
      firstLevel = lowestBit(firstMap);
      secondMap = control32[secondLevelBitmapWord + firstLevel] as number;
    }
    return this.#control64[headsSlot + firstLevel * secondLevelCount + lowestBit(secondMap)] as number;
  }

  /**
   * The slow path when the bitmaps find nothing: a first fit in the request's own list
   * (the good-fit search skips it), then a new segment.
   */
  #findFreeSlowly(granules: number): number {
    for (;;) {
      const exact = this.#firstFitInOwnList(granules);
      if (exact !== 0) return exact;
      if (!this.#formatNextSegment()) return 0;
      const found = this.#findFree(granules);
      if (found !== 0) return found;
    }
  }

  #firstFitInOwnList(granules: number): number {
    if (granules < secondLevelCount) return 0;
    const slot = listSlotOf(granules);
    let header = this.#control64[slot] as number;
    for (let steps = 0; header !== 0 && steps < 1_000_000; steps++) {
      const segment = this.segment(header);
      const word = (header - segment.base) >>> 2;
      if ((segment.i32[word] as number) >= granules) return header;
      header = segment.f64[(word >>> 1) + 2] as number;
    }
    return 0;
  }

  /** Formats segment 0 of a new arena. */
  formatFirstSegment(): void {
    if (this.formattedSegments === 0) this.#formatNextSegment();
  }

  /** Formats the next unused segment as one free block. False when every segment is in use. */
  #formatNextSegment(): boolean {
    const index = Atomics.load(this.#control32, formattedWord);
    if (index >= this.segmentCount) return false;
    const segment = this.segment(index * this.segmentBytes);
    const first = this.#firstHeader(index);
    const sentinel = this.#segmentEnd(index) - headerBytes;
    const granules = (sentinel - first) / granule;
    const word = (first - segment.base) >>> 2;
    const sentinelWord = (sentinel - segment.base) >>> 2;
    // Not journaled: until `formattedWord` moves past it, nothing reads this segment.
    segment.i32.set([granules, this.tagOf(first) | freeState, 0, 1], word);
    segment.i32.set([1, this.tagOf(sentinel) | usedState, granules, 0], sentinelWord);
    this.#insert(segment, first, granules);
    Atomics.store(this.#control32, formattedWord, index + 1);
    return true;
  }

  // ------------------------------------------------------------ operations

  /** Granules of a block holding `size` bytes. */
  static granulesFor(size: number): number {
    return Math.max(minimumBlockGranules, Math.ceil((size + headerBytes) / granule));
  }

  /** Allocates `size` bytes aligned to `alignment`; returns the offset of the bytes, or 0. */
  allocate(size: number, alignment: number): number {
    const granules = Heap.granulesFor(size);
    if (alignment > granule) return this.#allocateAligned(size, granules, alignment);
    let header = this.#findFree(granules);
    if (header === 0) header = this.#findFreeSlowly(granules);
    if (header === 0) return 0;
    const segment = this.#single ? (this.#segments[0] as Segment) : this.segment(header);
    const word = (header - segment.base) >>> 2;
    const blockGranules = segment.i32[word] as number;
    this.#remove(segment, header, blockGranules);
    if (blockGranules - granules >= minimumBlockGranules) this.#splitTail(segment, header, word, granules, blockGranules, segment.i32[word + 3] as number);
    else this.#count(firstLevelOf(blockGranules), blockGranules);
    this.#set(segment, word + 1, this.tagOf(header) | usedState);
    this.#set(segment, word + 3, size);
    this.#control64[requestedBytesSlot] = (this.#control64[requestedBytesSlot] as number) + size;
    this.#control64[usedBlocksSlot] = (this.#control64[usedBlocksSlot] as number) + 1;
    this.commit();
    return header + headerBytes;
  }

  #count(firstLevel: number, granules: number): void {
    this.#control32[classCountWord + firstLevel] = (this.#control32[classCountWord + firstLevel] as number) + 1;
    this.#control64[usedGranulesSlot] = (this.#control64[usedGranulesSlot] as number) + granules;
  }

  #uncount(firstLevel: number, granules: number): void {
    this.#control32[classCountWord + firstLevel] = (this.#control32[classCountWord + firstLevel] as number) - 1;
    this.#control64[usedGranulesSlot] = (this.#control64[usedGranulesSlot] as number) - granules;
  }

  /** Cuts block `header` (free, `blockGranules`) to `granules`; the rest becomes a free block. */
  #splitTail(segment: Segment, header: number, word: number, granules: number, blockGranules: number, returnedFlag: number): void {
    const rest = blockGranules - granules;
    const restWord = word + granules * 4;
    this.#set(segment, restWord, rest);
    this.#set(segment, restWord + 1, this.tagOf(header + granules * granule) | freeState);
    this.#set(segment, restWord + 2, granules);
    this.#set(segment, restWord + 3, returnedFlag);
    this.#set(segment, word + blockGranules * 4 + 2, rest);
    this.#set(segment, word, granules);
    this.#insert(segment, header + granules * granule, rest);
    this.#count(firstLevelOf(granules), granules);
  }

  #allocateAligned(size: number, granules: number, alignment: number): number {
    const needed = granules + alignment / granule + minimumBlockGranules;
    let header = this.#findFree(needed);
    if (header === 0) header = this.#findFreeSlowly(needed);
    if (header === 0) return 0;
    const segment = this.segment(header);
    let word = (header - segment.base) >>> 2;
    let blockGranules = segment.i32[word] as number;
    this.#remove(segment, header, blockGranules);
    let aligned = Math.ceil((header + headerBytes) / alignment) * alignment;
    if (aligned !== header + headerBytes && aligned - header - headerBytes < minimumBlockGranules * granule) aligned += alignment;
    const gap = (aligned - header - headerBytes) / granule;
    if (gap > 0) {
      // The leading gap stays a free block; the block proper starts after it.
      const alignedHeader = header + gap * granule;
      const alignedWord = word + gap * 4;
      this.#set(segment, alignedWord, blockGranules - gap);
      this.#set(segment, alignedWord + 1, this.tagOf(alignedHeader) | freeState);
      this.#set(segment, alignedWord + 2, gap);
      this.#set(segment, alignedWord + 3, 0);
      this.#set(segment, word + blockGranules * 4 + 2, blockGranules - gap);
      this.#set(segment, word, gap);
      this.#insert(segment, header, gap);
      header = alignedHeader;
      word = alignedWord;
      blockGranules -= gap;
    }
    if (blockGranules - granules >= minimumBlockGranules) this.#splitTail(segment, header, word, granules, blockGranules, 0);
    else this.#count(firstLevelOf(blockGranules), blockGranules);
    this.#set(segment, word + 1, this.tagOf(header) | usedState);
    this.#set(segment, word + 3, size);
    this.#control64[requestedBytesSlot] = (this.#control64[requestedBytesSlot] as number) + size;
    this.#control64[usedBlocksSlot] = (this.#control64[usedBlocksSlot] as number) + 1;
    this.commit();
    return header + headerBytes;
  }

  /**
   * Finds the block in use whose bytes start at `offset`; false for anything else (an
   * offset never handed out, or already freed). Sets `#foundSegment`/`#foundWord`.
   */
  #findUsed(offset: number): boolean {
    if (!(offset % granule === 0 && offset >= metadataBytes + headerBytes && offset < this.size)) return false;
    const header = offset - headerBytes;
    const index = this.#single ? 0 : Math.floor(header / this.segmentBytes);
    if (index >= Atomics.load(this.#control32, formattedWord)) return false;
    const segment = this.segment(header);
    const word = (header - segment.base) >>> 2;
    if (segment.i32[word + 1] !== (this.tagOf(header) | usedState)) return false;
    const granules = segment.i32[word] as number;
    if (!(granules >= minimumBlockGranules && header + granules * granule <= this.#segmentEnd(index) - headerBytes)) return false;
    this.#foundSegment = segment;
    this.#foundWord = word;
    return true;
  }

  /** True when `offset` is the start of a block in use. */
  isAllocated(offset: number): boolean {
    return this.#findUsed(offset);
  }

  /** The size asked for the block at `offset`, or -1 when it is not a block in use. */
  sizeOf(offset: number): number {
    if (!this.#findUsed(offset)) return -1;
    return (this.#foundSegment as Segment).i32[this.#foundWord + 3] as number;
  }

  /** Frees the block at `offset`. False (and nothing changed) when it is not a block in use. */
  release(offset: number): boolean {
    if (!this.#findUsed(offset)) return false;
    const segment = this.#foundSegment as Segment;
    const word = this.#foundWord;
    const i32 = segment.i32;
    let header = offset - headerBytes;
    const granules = i32[word] as number;
    this.#uncount(firstLevelOf(granules), granules);
    this.#control64[requestedBytesSlot] = (this.#control64[requestedBytesSlot] as number) - (i32[word + 3] as number);
    this.#control64[usedBlocksSlot] = (this.#control64[usedBlocksSlot] as number) - 1;
    let total = granules;
    let startWord = word;
    const nextWord = word + granules * 4;
    if (((i32[nextWord + 1] as number) & 3) === freeState) {
      const nextGranules = i32[nextWord] as number;
      this.#remove(segment, header + granules * granule, nextGranules);
      this.#set(segment, nextWord + 1, 0);
      total += nextGranules;
    }
    const previousGranules = i32[word + 2] as number;
    const previousWord = word - previousGranules * 4;
    if (previousGranules > 0 && ((i32[previousWord + 1] as number) & 3) === freeState) {
      this.#remove(segment, header - previousGranules * granule, previousGranules);
      this.#set(segment, word + 1, 0);
      header -= previousGranules * granule;
      startWord = previousWord;
      total += previousGranules;
    } else {
      this.#set(segment, word + 1, this.tagOf(header) | freeState);
    }
    this.#set(segment, startWord, total);
    this.#set(segment, startWord + 3, 0);
    this.#set(segment, startWord + total * 4 + 2, total);
    this.#insert(segment, header, total);
    this.commit();
    if (total * granule >= this.largeFreeBytes && this.onLargeFree !== undefined) this.onLargeFree(header);
    return true;
  }

  /**
   * Resizes the block at `offset` in place: shrinks it, or grows it into a free block after
   * it. Returns false when it cannot grow in place (nothing changed then). The caller has
   * checked that `offset` is a block in use.
   */
  resizeInPlace(offset: number, size: number): boolean {
    if (!this.#findUsed(offset)) return false;
    const segment = this.#foundSegment as Segment;
    const word = this.#foundWord;
    const i32 = segment.i32;
    const header = offset - headerBytes;
    const granules = Heap.granulesFor(size);
    const current = i32[word] as number;
    const oldSize = i32[word + 3] as number;
    if (granules <= current) {
      if (current - granules >= minimumBlockGranules) this.#shrinkTail(segment, header, word, granules, current);
    } else {
      const nextWord = word + current * 4;
      if (((i32[nextWord + 1] as number) & 3) !== freeState) return false;
      const nextGranules = i32[nextWord] as number;
      if (current + nextGranules < granules) return false;
      this.#remove(segment, header + current * granule, nextGranules);
      this.#set(segment, nextWord + 1, 0);
      const total = current + nextGranules;
      this.#uncount(firstLevelOf(current), current);
      this.#set(segment, word, total);
      this.#set(segment, word + total * 4 + 2, total);
      if (total - granules >= minimumBlockGranules) this.#splitTail(segment, header, word, granules, total, 0);
      else this.#count(firstLevelOf(total), total);
    }
    this.#set(segment, word + 3, size);
    this.#control64[requestedBytesSlot] = (this.#control64[requestedBytesSlot] as number) + size - oldSize;
    this.commit();
    return true;
  }

  /** Gives the tail of a block in use back, merged with a free block after it. */
  #shrinkTail(segment: Segment, header: number, word: number, granules: number, current: number): void {
    const i32 = segment.i32;
    let rest = current - granules;
    const nextWord = word + current * 4;
    if (((i32[nextWord + 1] as number) & 3) === freeState) {
      const nextGranules = i32[nextWord] as number;
      this.#remove(segment, header + current * granule, nextGranules);
      this.#set(segment, nextWord + 1, 0);
      rest += nextGranules;
    }
    const restWord = word + granules * 4;
    this.#set(segment, restWord, rest);
    this.#set(segment, restWord + 1, this.tagOf(header + granules * granule) | freeState);
    this.#set(segment, restWord + 2, granules);
    this.#set(segment, restWord + 3, 0);
    this.#set(segment, restWord + rest * 4 + 2, rest);
    this.#set(segment, word, granules);
    this.#insert(segment, header + granules * granule, rest);
    this.#uncount(firstLevelOf(current), current);
    this.#count(firstLevelOf(granules), granules);
  }

  // ------------------------------------------------------------- statistics

  /** Bytes of the largest block `allocate()` could return now (without alignment). */
  largestFree(): number {
    let largest = 0;
    const control32 = this.#control32;
    const firstMap = control32[firstLevelBitmapWord] as number;
    if (firstMap !== 0) {
      const firstLevel = 31 - Math.clz32(firstMap);
      const secondLevel = 31 - Math.clz32(control32[secondLevelBitmapWord + firstLevel] as number);
      let header = this.#control64[headsSlot + firstLevel * secondLevelCount + secondLevel] as number;
      for (let steps = 0; header !== 0 && steps < 100_000; steps++) {
        const segment = this.segment(header);
        const word = (header - segment.base) >>> 2;
        largest = Math.max(largest, (segment.i32[word] as number) * granule - headerBytes);
        header = segment.f64[(word >>> 1) + 2] as number;
      }
    }
    const formatted = this.formattedSegments;
    if (formatted < this.segmentCount) {
      const unformatted = this.#segmentEnd(formatted) - this.#firstHeader(formatted) - 2 * headerBytes;
      largest = Math.max(largest, formatted + 1 < this.segmentCount ? this.maxAllocation : unformatted);
    }
    return largest;
  }

  /** Bytes asked by the blocks in use, the number of those blocks, and the bytes they take. */
  counters(): { requested: number; blocks: number; usedBytes: number; repairs: number } {
    return {
      requested: this.#control64[requestedBytesSlot] as number,
      blocks: this.#control64[usedBlocksSlot] as number,
      usedBytes: (this.#control64[usedGranulesSlot] as number) * granule,
      repairs: this.#control64[repairsSlot] as number,
    };
  }

  /** Blocks in use per first-level size class: `[largest size of the class, count]`. */
  classCounts(): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    for (let level = 0; level < 23; level++) {
      const count = this.#control32[classCountWord + level] as number;
      if (count !== 0) result.push([(level === 0 ? secondLevelCount : 2 ** (level + 5)) * granule - headerBytes - 1, count]);
    }
    return result;
  }

  /** Bytes of the segments formatted so far (the part of the reserve the heap has touched). */
  formattedBytes(): number {
    const formatted = this.formattedSegments;
    return formatted === 0 ? 0 : this.#segmentEnd(formatted - 1);
  }

  // ------------------------------------------------------- walking the heap

  /** Calls `visit(header, granules, inUse)` for every block of the formatted segments, in order. */
  walk(visit: (header: number, granules: number, inUse: boolean, segment: Segment) => void): void {
    const formatted = this.formattedSegments;
    for (let index = 0; index < formatted; index++) {
      const segment = this.segment(index * this.segmentBytes);
      const sentinel = this.#segmentEnd(index) - headerBytes;
      let header = this.#firstHeader(index);
      while (header < sentinel) {
        const word = (header - segment.base) >>> 2;
        const granules = segment.i32[word] as number;
        const state = segment.i32[word + 1] as number;
        if (!(granules >= minimumBlockGranules && header + granules * granule <= sentinel)) {
          throw corruptError(`the block at offset ${header} has an impossible size (${granules} granules)`);
        }
        if ((state & -4) !== this.tagOf(header) || ((state & 3) !== usedState && (state & 3) !== freeState)) {
          throw corruptError(`the block at offset ${header} has a bad boundary tag (${state >>> 0})`);
        }
        visit(header, granules, (state & 3) === usedState, segment);
        header += granules * granule;
      }
    }
  }

  /**
   * Repair after a process died inside an operation (or on open after a crash): roll the
   * journal back, then rebuild free lists, bitmaps and counters from the boundary tags,
   * merging neighbouring free blocks. Returns the number of tag words rolled back.
   */
  rebuild(): number {
    const control32 = this.#control32;
    const control64 = this.#control64;
    Atomics.store(control32, repairWord, 1);
    const restored = this.#rollBack();
    control32.fill(0, firstLevelBitmapWord, firstLevelBitmapWord + 1);
    control32.fill(0, secondLevelBitmapWord, secondLevelBitmapWord + secondLevelCount);
    control32.fill(0, classCountWord, classCountWord + firstLevelCount);
    control64.fill(0, headsSlot, headsSlot + firstLevelCount * secondLevelCount);
    control64[requestedBytesSlot] = 0;
    control64[usedBlocksSlot] = 0;
    control64[usedGranulesSlot] = 0;
    for (let index = 0; index < this.formattedSegments; index++) this.#rebuildSegment(index);
    control64[repairsSlot] = (control64[repairsSlot] as number) + 1;
    Atomics.store(control32, repairWord, 0);
    return restored;
  }

  #rebuildSegment(index: number): void {
    const segment = this.segment(index * this.segmentBytes);
    const i32 = segment.i32;
    const sentinel = this.#segmentEnd(index) - headerBytes;
    let header = this.#firstHeader(index);
    let previousGranules = 0;
    let runHeader = 0;
    let runGranules = 0;
    const closeRun = (): void => {
      if (runHeader === 0) return;
      const runWord = (runHeader - segment.base) >>> 2;
      i32[runWord] = runGranules;
      i32[runWord + runGranules * 4 + 2] = runGranules;
      this.#insert(segment, runHeader, runGranules);
      runHeader = 0;
    };
    while (header < sentinel) {
      const word = (header - segment.base) >>> 2;
      const granules = i32[word] as number;
      const state = i32[word + 1] as number;
      if (!(granules >= minimumBlockGranules && header + granules * granule <= sentinel) || (state & -4) !== this.tagOf(header)) {
        throw corruptError(`the block at offset ${header} cannot be repaired (size ${granules} granules, tag ${state >>> 0})`);
      }
      i32[word + 2] = previousGranules;
      if ((state & 3) === freeState) {
        if (runHeader === 0) {
          runHeader = header;
          runGranules = granules;
        } else {
          i32[word + 1] = 0;
          runGranules += granules;
        }
      } else {
        closeRun();
        this.#count(firstLevelOf(granules), granules);
        this.#control64[requestedBytesSlot] = (this.#control64[requestedBytesSlot] as number) + (i32[word + 3] as number);
        this.#control64[usedBlocksSlot] = (this.#control64[usedBlocksSlot] as number) + 1;
      }
      previousGranules = runHeader === 0 ? granules : runGranules;
      header += granules * granule;
    }
    closeRun();
    const sentinelWord = (sentinel - segment.base) >>> 2;
    i32[sentinelWord] = 1;
    i32[sentinelWord + 1] = this.tagOf(sentinel) | usedState;
    i32[sentinelWord + 2] = previousGranules;
  }

  /** Every inconsistency of the heap, as a list (empty when the heap is sound). Changes nothing. */
  check(limit = 100): HeapProblem[] {
    const problems: HeapProblem[] = [];
    const report = (offset: number, problem: string): void => {
      if (problems.length < limit) problems.push({ offset, problem });
    };
    const journal = Atomics.load(this.#control32, journalLengthWord);
    if (journal !== 0) report(0, `the journal holds ${journal} entries (an operation was cut off and not repaired)`);
    if (Atomics.load(this.#control32, repairWord) !== 0) report(0, 'a repair was cut off');
    const freeBlocks = new Map<number, number>();
    let used = 0;
    let usedGranules = 0;
    let requested = 0;
    try {
      this.#checkTags(report, freeBlocks, (granules, asked) => {
        used++;
        usedGranules += granules;
        requested += asked;
      });
    } catch (error) {
      report(0, error instanceof Error ? error.message : String(error));
      return problems;
    }
    const counters = this.counters();
    if (counters.blocks !== used) report(0, `the counter says ${counters.blocks} blocks in use, the heap has ${used}`);
    if (counters.usedBytes !== usedGranules * granule) report(0, `the counter says ${counters.usedBytes} bytes in use, the heap has ${usedGranules * granule}`);
    if (counters.requested !== requested) report(0, `the counter says ${counters.requested} bytes asked, the blocks say ${requested}`);
    this.#checkFreeLists(report, freeBlocks);
    return problems;
  }

  #checkTags(
    report: (offset: number, problem: string) => void,
    freeBlocks: Map<number, number>,
    countUsed: (granules: number, asked: number) => void,
  ): void {
    const formatted = this.formattedSegments;
    for (let index = 0; index < formatted; index++) {
      const segment = this.segment(index * this.segmentBytes);
      const sentinel = this.#segmentEnd(index) - headerBytes;
      let previousGranules = 0;
      let previousFree = false;
      this.#walkSegment(index, segment, sentinel, (header, word, granules, inUse) => {
        if (segment.i32[word + 2] !== previousGranules) {
          report(header, `its previous-size tag says ${segment.i32[word + 2] as number} granules, the previous block has ${previousGranules}`);
        }
        if (!inUse && previousFree) report(header, 'two neighbouring free blocks were not merged');
        if (inUse) countUsed(granules, segment.i32[word + 3] as number);
        else freeBlocks.set(header, granules);
        previousGranules = granules;
        previousFree = !inUse;
      });
      const sentinelWord = (sentinel - segment.base) >>> 2;
      if (segment.i32[sentinelWord + 1] !== (this.tagOf(sentinel) | usedState) || segment.i32[sentinelWord + 2] !== previousGranules) {
        report(sentinel, 'the end-of-segment sentinel is damaged');
      }
    }
  }

  #walkSegment(
    index: number,
    segment: Segment,
    sentinel: number,
    visit: (header: number, word: number, granules: number, inUse: boolean) => void,
  ): void {
    let header = this.#firstHeader(index);
    while (header < sentinel) {
      const word = (header - segment.base) >>> 2;
      const granules = segment.i32[word] as number;
      const state = segment.i32[word + 1] as number;
      if (!(granules >= minimumBlockGranules && header + granules * granule <= sentinel)) {
        throw new Error(`the block at offset ${header} has an impossible size (${granules} granules); the rest of segment ${index} cannot be walked`);
      }
      if ((state & -4) !== this.tagOf(header) || ((state & 3) !== usedState && (state & 3) !== freeState)) {
        throw new Error(`the block at offset ${header} has a bad boundary tag (${state >>> 0}); the rest of segment ${index} cannot be walked`);
      }
      visit(header, word, granules, (state & 3) === usedState);
      header += granules * granule;
    }
  }

  #checkFreeLists(report: (offset: number, problem: string) => void, freeBlocks: Map<number, number>): void {
    const seen = new Set<number>();
    const control32 = this.#control32;
    for (let firstLevel = 0; firstLevel < firstLevelCount; firstLevel++) {
      const secondMap = control32[secondLevelBitmapWord + firstLevel] as number;
      const firstBit = ((control32[firstLevelBitmapWord] as number) >>> firstLevel) & 1;
      if ((secondMap !== 0 ? 1 : 0) !== firstBit) report(0, `first-level bitmap bit ${firstLevel} disagrees with its second-level bitmap`);
      for (let secondLevel = 0; secondLevel < secondLevelCount; secondLevel++) {
        let header = this.#control64[headsSlot + firstLevel * secondLevelCount + secondLevel] as number;
        if ((header !== 0 ? 1 : 0) !== ((secondMap >>> secondLevel) & 1)) report(0, `bitmap bit (${firstLevel}, ${secondLevel}) disagrees with its list`);
        let previous = 0;
        while (header !== 0) {
          const granules = freeBlocks.get(header);
          if (granules === undefined || seen.has(header)) {
            report(header, seen.has(header) ? 'a free list loops' : 'a free list holds a block that is not a free block of the heap');
            break;
          }
          seen.add(header);
          if (firstLevelOf(granules) !== firstLevel) report(header, `a block of ${granules} granules is in the list of class (${firstLevel}, ${secondLevel})`);
          const segment = this.segment(header);
          const link = ((header - segment.base) >>> 3) + 2;
          if (segment.f64[link + 1] !== previous) report(header, 'its backward free-list link is wrong');
          previous = header;
          header = segment.f64[link] as number;
        }
      }
    }
    for (const header of freeBlocks.keys()) if (!seen.has(header)) report(header, 'a free block is in no free list');
  }
}
