/**
 * Finding the bytes a mapping changed: the mapping's memory is compared with a snapshot
 * of the same bytes as they were last read from or written to the file. The comparison is
 * exact to the byte, so `sync()` writes only bytes that really changed and never
 * overwrites a neighbouring byte that another process may have changed meanwhile.
 *
 * @packageDocumentation
 */

/** A half-open byte range `[start, end)` of a mapped region. */
export interface ByteRun {
  readonly start: number;
  readonly end: number;
}

/** Bytes compared natively (`memcmp`) at a time before looking closer. */
const coarseBlockLength = 64 * 1024;
/** Bytes compared natively inside a coarse block that differs, before scanning bytes. */
const fineBlockLength = 256;

/**
 * The runs of bytes in `[start, end)` where `data` differs from `snapshot` (two buffers
 * laid out alike), in increasing order; adjacent changed bytes form one run, and runs are
 * separated by at least one unchanged byte.
 */
export function findChangedRuns(data: ArrayBuffer, snapshot: ArrayBuffer, start: number, end: number): ByteRun[] {
  const runs: ByteRun[] = [];
  forEachChangedRun(data, snapshot, start, end, (runStart, runEnd) => {
    runs.push({ start: runStart, end: runEnd });
  });
  return runs;
}

/**
 * Calls `visit(start, end)` for each run {@link findChangedRuns} would return, as soon as
 * it is found, without collecting them. `visit` may change bytes before `end` of either
 * buffer (for example update the snapshot): the scan has passed them.
 */
export function forEachChangedRun(
  data: ArrayBuffer,
  snapshot: ArrayBuffer,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
): void {
  let runStart = -1;
  for (let blockStart = start; blockStart < end; blockStart += coarseBlockLength) {
    const blockLength = Math.min(coarseBlockLength, end - blockStart);
    const dataBlock = Buffer.from(data, blockStart, blockLength);
    const snapshotBlock = Buffer.from(snapshot, blockStart, blockLength);
    if (dataBlock.equals(snapshotBlock)) {
      if (runStart >= 0) {
        visit(runStart, blockStart);
        runStart = -1;
      }
      continue;
    }
    for (let fineStart = 0; fineStart < blockLength; fineStart += fineBlockLength) {
      const fineEnd = Math.min(fineStart + fineBlockLength, blockLength);
      if (dataBlock.compare(snapshotBlock, fineStart, fineEnd, fineStart, fineEnd) === 0) {
        if (runStart >= 0) {
          visit(runStart, blockStart + fineStart);
          runStart = -1;
        }
        continue;
      }
      for (let index = fineStart; index < fineEnd; index++) {
        const changed = dataBlock[index] !== snapshotBlock[index];
        if (changed && runStart < 0) {
          runStart = blockStart + index;
        } else if (!changed && runStart >= 0) {
          visit(runStart, blockStart + index);
          runStart = -1;
        }
      }
    }
  }
  if (runStart >= 0) visit(runStart, end);
}
