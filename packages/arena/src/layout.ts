/**
 * Where everything lives inside the mapping. All state is here, as offsets (never
 * pointers), so a file-backed arena reattaches and several processes share one.
 *
 * ```
 * [0, 64)        header (a @mmapkit/struct layout): magic, layout version, size, segment
 *                shift, salt, checksum of those fields
 * [64, 128)      Int32 words: lock owner pid, lock generation, repair flag, exclusive owner,
 *                formatted segments, journal length, first-level bitmap
 * [128, 256)     Int32 second-level bitmaps (32)
 * [256, 384)     Float64 counters: bytes asked, blocks in use, granules in use, root, repairs
 * [384, 512)     Int32 blocks in use per first-level size class (32)
 * [512, 1024)    Float64 journal: (word offset, old value) pairs
 * [1024, 9216)   Float64 free-list heads, 32 x 32 (first level x second level)
 * [16384, ...)   the heap: blocks with boundary tags, segment by segment
 * ```
 *
 * The heap is cut into segments of `2^segmentShift` bytes (1 GiB for large arenas, the whole
 * arena for small ones); no block crosses a segment boundary, so every block is inside one
 * view even where one view is limited to 4 GiB (Node 20). Each segment ends with a
 * one-granule sentinel block that is always "in use".
 *
 * A block header is four Int32 words (16 bytes) just before the bytes handed out:
 * size in 16-byte granules (header included), state (salted tag | 1 in use, | 2 free),
 * size of the physically previous block (0 for the first of a segment), and for blocks in
 * use the size asked, for free ones 1 when the pages were given back to the OS. Free blocks
 * keep their free-list links (Float64 offsets) in their first 16 payload bytes.
 */
import { float64, struct, uint32 } from '@mmapkit/struct';

/** "MKAR" as a little-endian uint32. */
export const arenaMagic = 0x52414b4d;
/** Bumped whenever the layout below changes incompatibly. */
export const layoutVersion = 1;

/** The fixed part of the header, checksummed. */
export const ArenaHeader = struct('ArenaHeader', {
  magic: uint32,
  version: uint32,
  size: float64,
  segmentShift: uint32,
  salt: uint32,
  checksum: uint32,
});

export const granule = 16;
export const granuleShift = 4;
export const headerBytes = 16;
/** Smallest block: a header and room for two free-list links. */
export const minimumBlockGranules = 2;
export const metadataBytes = 16384;
export const largeSegmentShift = 30;
export const secondLevelLog2 = 5;
export const secondLevelCount = 32;
export const firstLevelCount = 32;
export const journalCapacity = 32;

// Int32 word indexes in the control region.
export const lockWord = 16;
export const generationWord = 17;
export const repairWord = 18;
export const exclusiveOwnerWord = 19;
export const formattedWord = 20;
export const journalLengthWord = 21;
export const firstLevelBitmapWord = 22;
export const secondLevelBitmapWord = 32;
export const classCountWord = 96;

// Float64 indexes in the control region.
export const requestedBytesSlot = 32;
export const usedBlocksSlot = 33;
export const usedGranulesSlot = 34;
export const rootSlot = 35;
export const repairsSlot = 36;
export const journalSlot = 64;
export const headsSlot = 128;

// Block states (low two bits of the state word).
export const usedState = 1;
export const freeState = 2;

/** The checksum of the header's fixed fields (FNV-1a over their values). */
export function headerChecksum(magic: number, version: number, size: number, segmentShift: number, salt: number): number {
  let hash = 0x811c9dc5;
  for (const value of [magic, version, size % 2 ** 32, Math.floor(size / 2 ** 32), segmentShift, salt]) {
    hash = Math.imul(hash ^ (value >>> 0), 0x01000193) >>> 0;
  }
  return hash;
}
