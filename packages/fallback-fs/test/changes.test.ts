import { describe, expect, it } from 'vitest';
import { findChangedRuns, type ByteRun } from '../src/changes.js';
import { seededBytes } from './helpers.js';

/** The runs found by looking at every byte, to check the block-wise search against. */
function changedRunsByEveryByte(data: Uint8Array, snapshot: Uint8Array, start: number, end: number): ByteRun[] {
  const runs: ByteRun[] = [];
  let runStart = -1;
  for (let index = start; index < end; index++) {
    const changed = data[index] !== snapshot[index];
    if (changed && runStart < 0) runStart = index;
    if (!changed && runStart >= 0) {
      runs.push({ start: runStart, end: index });
      runStart = -1;
    }
  }
  if (runStart >= 0) runs.push({ start: runStart, end });
  return runs;
}

describe('change detection', () => {
  it('finds exactly the changed bytes, across block boundaries, for seeded random edits', () => {
    const length = 300_000;
    for (let seed = 1; seed <= 20; seed++) {
      const snapshot = seededBytes(length, seed);
      const data = snapshot.slice();
      const edits = seededBytes(200, seed + 1000);
      for (let edit = 0; edit < edits.length; edit += 4) {
        const position = ((edits[edit]! << 16) | (edits[edit + 1]! << 8) | edits[edit + 2]!) % length;
        const runLength = 1 + (edits[edit + 3]! % 70);
        for (let index = position; index < Math.min(length, position + runLength); index++) data[index] = data[index]! ^ (1 + (index % 255));
      }
      // Runs touching block boundaries (64 KiB and 256 bytes) and the range ends.
      data[65535] = data[65535]! ^ 1;
      data[65536] = data[65536]! ^ 1;
      data[255] = data[255]! ^ 1;
      data[length - 1] = data[length - 1]! ^ 1;
      for (const [start, end] of [[0, length], [1, length - 1], [65530, 131080]] as const) {
        expect(findChangedRuns(data.buffer as ArrayBuffer, snapshot.buffer as ArrayBuffer, start, end)).toEqual(changedRunsByEveryByte(data, snapshot, start, end));
      }
    }
  });

  it('an unchanged range has no runs, and a fully changed one has one', () => {
    const snapshot = new Uint8Array(200_000);
    expect(findChangedRuns(snapshot.slice().buffer, snapshot.buffer, 0, 200_000)).toEqual([]);
    expect(findChangedRuns(new Uint8Array(200_000).fill(1).buffer, snapshot.buffer, 0, 200_000)).toEqual([{ start: 0, end: 200_000 }]);
  });
});
