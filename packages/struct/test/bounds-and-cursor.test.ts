import { describe, expect, test } from 'vitest';
import { float64, int32, string, struct, uint32, uint8 } from '../src/index.js';

const Point = struct('Point', { x: float64, y: float64, id: uint32 });

describe('bounds', () => {
  test('a view that does not fit its source is a RangeError at creation', () => {
    expect(() => Point.view(new ArrayBuffer(Point.size - 1))).toThrow(RangeError);
    expect(() => Point.view(new ArrayBuffer(Point.size * 2), Point.size + 1)).toThrow(/holds 48 bytes/);
    expect(() => Point.view(new ArrayBuffer(64), -1)).toThrow(/byteOffset must be a non-negative integer, got -1/);
    expect(() => Point.view(new ArrayBuffer(64), 1.5)).toThrow(RangeError);
  });

  test('an array that does not fit its source is a RangeError at creation', () => {
    const buffer = new ArrayBuffer(Point.size * 4);
    expect(() => Point.array(buffer, { length: 5 })).toThrow(RangeError);
    expect(() => Point.array(buffer, { byteOffset: 8, length: 4 })).toThrow(RangeError);
    expect(() => Point.array(buffer, { byteOffset: buffer.byteLength + 1 })).toThrow(RangeError);
    expect(Point.array(buffer, { byteOffset: 8 }).length).toBe(3);
  });

  test('a view over a Uint8Array window cannot reach bytes outside the window', () => {
    const whole = new Uint8Array(Point.size * 3).fill(0xee);
    const window = whole.subarray(Point.size, Point.size * 2);
    const record = Point.view(window);
    record.x = 0;
    record.y = 0;
    record.id = 0;
    expect(whole.subarray(0, Point.size).every((byte) => byte === 0xee)).toBe(true);
    expect(whole.subarray(Point.size * 2).every((byte) => byte === 0xee)).toBe(true);
    expect(() => Point.view(window, 1)).toThrow(RangeError);
  });

  test('indexes outside the array, fractional or not numbers, are RangeErrors', () => {
    const points = Point.array(new ArrayBuffer(Point.size * 2));
    for (const index of [-1, 2, 0.5, Number.NaN, 2 ** 32, Infinity]) {
      expect(() => points.at(index)).toThrow(RangeError);
      expect(() => points.get(index)).toThrow(RangeError);
    }
  });

  test('a source that is not a buffer is a TypeError naming the argument', () => {
    expect(() => Point.view('buffer' as never)).toThrow(/source must be an ArrayBuffer/);
    expect(() => Point.array(new ArrayBuffer(8), null as never)).toThrow(/options must be an object/);
  });

  test('a detached buffer cannot be viewed', () => {
    const buffer = new ArrayBuffer(Point.size);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => Point.view(buffer)).toThrow(TypeError);
  });

  test('views over a buffer detached afterwards throw instead of reading anything', () => {
    const buffer = new ArrayBuffer(Point.size);
    const record = Point.view(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => record.x).toThrow(TypeError);
    expect(() => Point.view(buffer)).toThrow(TypeError);
  });
});

describe('the cursor', () => {
  test('at() returns the same object moved to each index, so iteration allocates nothing per record', () => {
    const points = Point.array(new ArrayBuffer(Point.size * 3));
    const first = points.at(0);
    const second = points.at(1);
    expect(second).toBe(first);
    for (let index = 0; index < points.length; index++) points.at(index).id = index * 10;
    const ids: number[] = [];
    for (const point of points) ids.push(point.id);
    expect(ids).toEqual([0, 10, 20]);
    // Collecting the cursor keeps one object that shows the last index.
    expect([...points].map((point) => point.id)).toEqual([20, 20, 20]);
    expect(points.at(2).$byteOffset).toBe(2 * Point.size);
  });

  test('get() returns independent views', () => {
    const points = Point.array(new ArrayBuffer(Point.size * 3));
    const first = points.get(0);
    const second = points.get(1);
    second.id = 5;
    expect(first.id).toBe(0);
    expect(first).not.toBe(second);
  });

  test('records of one source share its memory: a write through one view is read through another', () => {
    const shared = new SharedArrayBuffer(Point.size * 2);
    const points = Point.array(shared);
    const direct = Point.view(shared, Point.size);
    points.at(1).y = 42;
    expect(direct.y).toBe(42);
  });

  test('views over any byteOffset work when there are no atomics', () => {
    const Record = struct('Unaligned', { value: int32, name: string(3), flag: uint8 });
    const buffer = new ArrayBuffer(64);
    const records = Record.array(buffer, { byteOffset: 3, length: 2 });
    records.at(1).value = -7;
    expect(new DataView(buffer).getInt32(3 + Record.size, true)).toBe(-7);
  });
});

describe('declaration errors', () => {
  test('name and field name errors name the argument and the value', () => {
    expect(() => struct('not valid', { x: uint8 })).toThrow(/name must be a C identifier .* got "not valid"/);
    expect(() => struct('Good', { 'bad-name': uint8 })).toThrow(/fields\.bad-name must be a C identifier/);
    expect(() => struct('Good', { int: uint8 })).toThrow(/must not be a C keyword/);
    expect(() => struct('Good', { constructor: uint8 })).toThrow(/records reserve that name/);
    expect(() => struct('Good', { x: 5 as never })).toThrow(/fields\.x must be a field type of @mmapkit\/struct/);
    expect(() => struct('Good', {})).toThrow(/at least one field/);
    expect(() => struct('Good', { x: uint8 }, { packd: true } as never)).toThrow(/options\.packd is not an option/);
    expect(() => struct('Good', { x: uint8 }, { align: 3 })).toThrow(/options\.align must be a power of two/);
    expect(() => struct('Good', { x: uint8 }, { endian: 'middle' as never })).toThrow(/options\.endian must be 'little' or 'big'/);
  });

  test('field type errors name the argument and the value', () => {
    expect(() => string(0)).toThrow(/length must be an integer from 1/);
    expect(() => Point.field('z' as never)).toThrow(/name must be a field of Point, got "z"/);
  });
});
