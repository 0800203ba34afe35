import { describe, expect, it } from 'vitest';
import { WindowSet } from '../src/index.js';

const page = 4096;

function windowSet(regionLength: number, largestView: number): { windows: WindowSet; created: Array<[number, number]> } {
  const created: Array<[number, number]> = [];
  const windows = new WindowSet(regionLength, largestView, page, (start, length) => {
    created.push([start, length]);
    return new ArrayBuffer(0);
  });
  return { windows, created };
}

describe('WindowSet', () => {
  it('a region that fits one view gets one window at offset 0, reused for every request', () => {
    const { windows, created } = windowSet(page * 10, page * 16);
    expect(windows.window(page * 3 + 5, 10).byteOffset).toBe(page * 3 + 5);
    windows.window(0, page * 10);
    expect(created).toEqual([[0, page * 10]]);
  });

  it('a larger region gets page-aligned windows on demand that cover the request', () => {
    const { windows, created } = windowSet(page * 100, page * 10);
    const slice = windows.window(page * 5 + 7, page * 2);
    expect(created).toEqual([[page * 5, page * 10]]);
    expect(slice.byteOffset).toBe(7);
    windows.window(page * 6, page);
    expect(created).toHaveLength(1);
    windows.window(page * 14 + 1, page * 2);
    expect(created.at(-1)).toEqual([page * 14, page * 10]);
  });

  it('never creates two windows with the same start', () => {
    const { windows, created } = windowSet(page * 100, page * 10);
    for (let offset = 0; offset < page * 100 - page * 10; offset += 1531) windows.window(offset, Math.min(page * 9, page * 100 - offset));
    const starts = created.map(([start]) => start);
    expect(new Set(starts).size).toBe(starts.length);
    for (const [start, length] of created) expect(start + length).toBeLessThanOrEqual(page * 100);
  });

  it('windows near the end of the region start lower so they keep the full length', () => {
    const { windows, created } = windowSet(page * 100, page * 10);
    const slice = windows.window(page * 99, page);
    expect(created).toEqual([[page * 90, page * 10]]);
    expect(slice.byteOffset).toBe(page * 9);
  });

  it('a request of exactly the largest view at an unaligned offset starts its window at the offset', () => {
    const { windows, created } = windowSet(page * 100, page * 10);
    const slice = windows.window(page * 3 + 1, page * 10);
    expect(created).toEqual([[page * 3 + 1, page * 10]]);
    expect(slice.byteOffset).toBe(0);
  });
});
