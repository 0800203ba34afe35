import { describe, expect, test } from 'vitest';
import {
  aligned,
  array,
  bits,
  bool,
  enumeration,
  float32,
  float64,
  int16,
  int32,
  int64,
  int8,
  padding,
  string,
  struct,
  uint16,
  uint32,
  uint64,
  uint8,
  union,
} from '../src/index.js';

const Color = enumeration('Color', { red: 0, green: 1, blue: 7 });
const Inner = struct('Inner', { tag: uint8, weight: float32 });
const Everything = struct('Everything', {
  small: int8,
  unsignedSmall: uint8,
  medium: int16,
  unsignedMedium: uint16,
  word: int32,
  unsignedWord: uint32,
  large: int64,
  unsignedLarge: uint64,
  largeNumber: int64.asNumber(),
  unsignedLargeNumber: uint64.asNumber(),
  single: float32,
  precise: float64,
  flag: bool,
  label: string(8),
  color: Color,
  reserved: padding(2),
  inner: Inner,
  samples: array(int16, 4),
  grid: array(array(uint8, 3), 2),
  items: array(Inner, 3),
  names: array(string(4), 2),
});

describe('scalar fields', () => {
  test('read back what was written, at the offsets C uses', () => {
    const record = Everything.create();
    record.small = -3;
    record.unsignedSmall = 250;
    record.medium = -30000;
    record.unsignedMedium = 60000;
    record.word = -2_000_000_000;
    record.unsignedWord = 4_000_000_000;
    record.large = -(2n ** 62n);
    record.unsignedLarge = 2n ** 64n - 1n;
    record.largeNumber = -(2 ** 53 - 1);
    record.unsignedLargeNumber = 2 ** 53 - 1;
    record.single = 1.5;
    record.precise = Math.PI;
    record.flag = true;
    record.color = Color.members.blue;
    expect(record.$toObject()).toMatchObject({
      small: -3,
      unsignedSmall: 250,
      medium: -30000,
      unsignedMedium: 60000,
      word: -2_000_000_000,
      unsignedWord: 4_000_000_000,
      large: -(2n ** 62n),
      unsignedLarge: 2n ** 64n - 1n,
      largeNumber: -(2 ** 53 - 1),
      unsignedLargeNumber: 2 ** 53 - 1,
      single: 1.5,
      precise: Math.PI,
      flag: true,
      color: 7,
    });
  });

  test('integer writes wrap like a C assignment', () => {
    const record = Everything.create({ unsignedSmall: 257, small: 200 });
    expect(record.unsignedSmall).toBe(1);
    expect(record.small).toBe(-56);
  });

  test('a bool reads true for any non-zero byte and writes 0 or 1', () => {
    const buffer = new ArrayBuffer(Everything.size);
    const record = Everything.view(buffer);
    const offset = Everything.field('flag').offset;
    new Uint8Array(buffer)[offset] = 0x80;
    expect(record.flag).toBe(true);
    record.flag = false;
    expect(new Uint8Array(buffer)[offset]).toBe(0);
  });

  test('64-bit number fields throw a RangeError past 2^53 - 1, in both directions', () => {
    const record = Everything.create();
    record.unsignedLarge = 2n ** 53n;
    const view = new DataView(new ArrayBuffer(8));
    expect(() => {
      record.largeNumber = 2 ** 53;
    }).toThrow(RangeError);
    expect(() => {
      record.unsignedLargeNumber = -1;
    }).toThrow(RangeError);
    expect(() => {
      record.largeNumber = 1.5;
    }).toThrow(/integer/);
    const buffer = new Uint8Array(Everything.size);
    const other = Everything.view(buffer);
    new DataView(buffer.buffer).setBigUint64(Everything.field('unsignedLargeNumber').offset, 2n ** 53n, true);
    expect(() => other.unsignedLargeNumber).toThrow(/9007199254740992/);
    new DataView(buffer.buffer).setBigInt64(Everything.field('largeNumber').offset, -(2n ** 53n) - 5n, true);
    expect(() => other.largeNumber).toThrow(RangeError);
    view.setBigInt64(0, 0n);
  });

  test('writing a value that is not an enumeration member throws a RangeError naming the members', () => {
    const record = Everything.create();
    expect(() => {
      (record as { color: number }).color = 3;
    }).toThrow(/Everything\.color must be one of red = 0, green = 1, blue = 7/);
  });

  test('fields with their own byte order ignore the struct default', () => {
    const Header = struct('Header', { port: uint16.endian('big'), length: uint32 }, { endian: 'little' });
    const bytes = new Uint8Array(Header.size);
    const header = Header.view(bytes);
    header.port = 0x1234;
    header.length = 0x01020304;
    expect(Array.from(bytes)).toEqual([0x12, 0x34, 0, 0, 4, 3, 2, 1]);
  });

  test('a big-endian struct stores every scalar in network order', () => {
    const Packet = struct('Packet', { kind: uint16, size: uint32, value: float64, stamp: uint64 }, { endian: 'big' });
    const packet = Packet.create({ kind: 0x0102, size: 0x03040506, value: 1, stamp: 0x0708n });
    const bytes = new Uint8Array((packet as unknown as { $m: { buffer: ArrayBuffer } }).$m.buffer);
    expect(Array.from(bytes.subarray(0, 2))).toEqual([1, 2]);
    expect(Array.from(bytes.subarray(4, 8))).toEqual([3, 4, 5, 6]);
    expect(Array.from(bytes.subarray(8, 16))).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(bytes.subarray(16, 24))).toEqual([0, 0, 0, 0, 0, 0, 7, 8]);
    expect(packet.$toObject()).toEqual({ kind: 0x0102, size: 0x03040506, value: 1, stamp: 0x0708n });
  });
});

describe('strings', () => {
  test('are UTF-8, NUL-padded, and may fill the whole field without a terminator', () => {
    const record = Everything.create({ label: 'héllo' });
    expect(record.label).toBe('héllo');
    record.label = '12345678';
    expect(record.label).toBe('12345678');
    record.label = 'ab';
    expect(record.label).toBe('ab');
    const offset = Everything.field('label').offset;
    const bytes = new Uint8Array((record as unknown as { $m: { buffer: ArrayBuffer } }).$m.buffer, offset, 8);
    expect(Array.from(bytes)).toEqual([97, 98, 0, 0, 0, 0, 0, 0]);
  });

  test('that do not fit are a RangeError and leave the field unchanged', () => {
    const record = Everything.create({ label: 'keep' });
    expect(() => {
      record.label = 'ééééé';
    }).toThrow(/at most 8 bytes of UTF-8, got 10 bytes/);
    expect(record.label).toBe('keep');
  });

  test('containing NUL are a TypeError', () => {
    const record = Everything.create();
    expect(() => {
      record.label = 'a\0b';
    }).toThrow(TypeError);
  });
});

describe('nested structs and arrays', () => {
  test('nested struct fields are live views at the right offset', () => {
    const record = Everything.create();
    record.inner.tag = 9;
    record.inner.weight = 2.5;
    const bytes = new DataView((record as unknown as { $m: { buffer: ArrayBuffer } }).$m.buffer);
    const base = Everything.field('inner').offset;
    expect(bytes.getUint8(base)).toBe(9);
    expect(bytes.getFloat32(base + Inner.field('weight').offset, true)).toBe(2.5);
  });

  test('arrays of scalars read, write, assign and copy', () => {
    const record = Everything.create({ samples: [1, -2, 3] });
    expect(record.samples.toArray()).toEqual([1, -2, 3, 0]);
    record.samples.set(3, 4);
    expect([...record.samples]).toEqual([1, -2, 3, 4]);
    expect(record.samples.toTypedArray()).toEqual(new Int16Array([1, -2, 3, 4]));
    expect(() => record.samples.get(4)).toThrow(RangeError);
    expect(() => record.samples.set(-1, 0)).toThrow(RangeError);
    expect(() => record.samples.assign([1, 2, 3, 4, 5])).toThrow(/holds 4 elements, got 5/);
  });

  test('asTypedArray() is a zero-copy view that writes through', () => {
    const record = Everything.create();
    const samples = record.samples.asTypedArray();
    expect(samples).toBeInstanceOf(Int16Array);
    samples[2] = 77;
    expect(record.samples.get(2)).toBe(77);
  });

  test('asTypedArray() refuses misaligned or foreign-byte-order arrays and says to copy', () => {
    const Packed = struct('PackedSamples', { tag: uint8, values: array(uint32, 2) }, { packed: true });
    const record = Packed.create({ values: [5, 6] });
    expect(record.values.canViewAsTypedArray).toBe(false);
    expect(() => record.values.asTypedArray()).toThrow(/toTypedArray\(\) for a copy/);
    expect(record.values.toTypedArray()).toEqual(new Uint32Array([5, 6]));
    const Network = struct('NetworkSamples', { values: array(uint16, 2) }, { endian: 'big' });
    const network = Network.create({ values: [0x0102, 0x0304] });
    expect(() => network.values.asTypedArray()).toThrow(/byte order/);
    expect(network.values.toTypedArray()).toEqual(new Uint16Array([0x0102, 0x0304]));
  });

  test('multi-dimensional arrays and arrays of structs give element views', () => {
    const record = Everything.create({ grid: [[1, 2, 3], [4, 5, 6]], items: [{ tag: 1 }, { tag: 2, weight: 0.5 }] });
    expect(record.grid.at(1).get(2)).toBe(6);
    expect(record.items.at(1).weight).toBe(0.5);
    expect(record.items.get(0).tag).toBe(1);
    expect([...record.items].map((item) => item.tag)).toEqual([1, 2, 0]);
    expect(record.$toObject().grid).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  test('arrays of strings read and write each element', () => {
    const record = Everything.create({ names: ['ab', 'cdef'] });
    expect(record.names.toArray()).toEqual(['ab', 'cdef']);
  });

  test('$assign rejects fields the layout does not have', () => {
    const record = Everything.create();
    expect(() => record.$assign({ missing: 1 } as never)).toThrow(/values\.missing is not a field of Everything/);
  });

  test('toJSON turns bigints into strings so that JSON.stringify works', () => {
    const record = Inner.create({ tag: 3 });
    expect(JSON.parse(JSON.stringify(record))).toEqual({ tag: 3, weight: 0 });
    const WithLarge = struct('WithLarge', { value: uint64 });
    expect(JSON.stringify(WithLarge.create({ value: 2n ** 63n }))).toBe('{"value":"9223372036854775808"}');
  });

  test('padding is laid out but is not a property', () => {
    expect(Everything.field('reserved').size).toBe(2);
    expect('reserved' in Everything.create()).toBe(false);
  });
});

describe('unions', () => {
  test('all members share offset 0 and the size is the largest member rounded to the alignment', () => {
    const Value = union('Value', { asInteger: uint32, asFloat: float32, asBytes: array(uint8, 5) });
    expect(Value.size).toBe(8);
    expect(Value.alignment).toBe(4);
    const value = Value.create({ asFloat: 1 });
    expect(value.asInteger).toBe(0x3f800000);
    expect(value.asBytes.toArray()).toEqual([0, 0, 0x80, 0x3f, 0]);
  });
});

describe('bitfields', () => {
  const Flags = struct('Flags', {
    kind: bits(uint32, 3),
    delta: bits(int32, 5),
    urgent: bits(bool, 1),
    wide: bits(uint64, 40),
    signedWide: bits(int64, 33),
    count: bits(uint16, 16),
  });

  test('round-trip every width, sign-extending signed bases', () => {
    const flags = Flags.create({ kind: 5, delta: -9, urgent: true, wide: 2n ** 40n - 3n, signedWide: -(2n ** 32n), count: 65535 });
    expect(flags.$toObject()).toEqual({ kind: 5, delta: -9, urgent: true, wide: 2n ** 40n - 3n, signedWide: -(2n ** 32n), count: 65535 });
  });

  test('writing one bitfield leaves its neighbours alone and truncates to its width', () => {
    const flags = Flags.create({ kind: 7, delta: -1, urgent: true });
    flags.delta = 0b100001; // 33 truncates to 1 in 5 bits
    expect(flags.kind).toBe(7);
    expect(flags.delta).toBe(1);
    expect(flags.urgent).toBe(true);
  });

  test('packed bitfields straddling bytes near the end of the struct are read byte by byte', () => {
    const Tight = struct('Tight', { head: uint8, middle: bits(uint32, 20), tail: bits(uint8, 4) }, { packed: true });
    expect(Tight.size).toBe(4);
    const tight = Tight.create({ head: 0xff, middle: 0xabcde, tail: 0xf });
    expect(tight.$toObject()).toEqual({ head: 0xff, middle: 0xabcde, tail: 0xf });
    const Odd = struct('Odd', { head: uint8, value: bits(uint32, 17) }, { packed: true });
    expect(Odd.size).toBe(4);
    const odd = Odd.create({ value: 0x1ffff });
    expect(odd.value).toBe(0x1ffff);
    expect(odd.head).toBe(0);
  });

  test('64-bit bitfields declared asNumber() read numbers', () => {
    const Stamp = struct('Stamp', { micros: bits(uint64.asNumber(), 52), flags: bits(uint64, 12) });
    const stamp = Stamp.create({ micros: 2 ** 52 - 1, flags: 0xfffn });
    expect(stamp.micros).toBe(2 ** 52 - 1);
    expect(stamp.flags).toBe(0xfffn);
  });
});

describe('per-field alignment and struct options', () => {
  test('aligned() raises a member alignment and the struct alignment', () => {
    const Slot = struct('Slot', { tag: uint8, value: aligned(uint32, 16) });
    expect(Slot.field('value').offset).toBe(16);
    expect(Slot.alignment).toBe(16);
    expect(Slot.size).toBe(32);
  });

  test('packed removes padding; aligned() inside packed keeps that member aligned', () => {
    const Packed = struct('PackedPair', { tag: uint8, value: uint32, kept: aligned(uint16, 2) }, { packed: true });
    expect(Packed.fields.map((field) => field.offset)).toEqual([0, 1, 6]);
    expect(Packed.size).toBe(8);
    expect(Packed.alignment).toBe(2);
  });

  test('align raises the struct alignment and rounds the size', () => {
    const Line = struct('CacheLine', { value: uint64 }, { align: 64 });
    expect(Line.size).toBe(64);
    expect(Line.alignment).toBe(64);
  });
});
