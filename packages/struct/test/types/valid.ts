/**
 * Compiled by `types.test.ts` with `tsc --noEmit`: every line marked `@ts-expect-error` must
 * fail to compile (or tsc reports an unused directive), every `expectTypeOf` must hold.
 */
import { expectTypeOf } from 'vitest';
import {
  array,
  bits,
  bool,
  enumeration,
  float64,
  int32,
  int64,
  padding,
  string,
  struct,
  uint16,
  uint32,
  uint64,
  uint8,
  union,
  type ArrayView,
  type CompositeArrayView,
  type NumericArrayView,
  type StructRecord,
} from '../../src/index.js';

const Color = enumeration('Color', { red: 0, green: 1 });
const Inner = struct('Inner', { tag: uint8, weight: float64 });
const Sample = struct('Sample', {
  id: uint32,
  delta: int32,
  stamp: uint64,
  count: int64.asNumber(),
  name: string(16),
  enabled: bool,
  color: Color,
  kind: bits(uint32, 3),
  wide: bits(uint64, 40),
  urgent: bits(bool, 1),
  reserved: padding(4),
  inner: Inner,
  values: array(uint16, 8),
  names: array(string(4), 2),
  items: array(Inner, 2),
  hits: uint32.atomic(),
});

const record = Sample.create();

// Reading gives each field's type.
expectTypeOf(record.id).toEqualTypeOf<number>();
expectTypeOf(record.stamp).toEqualTypeOf<bigint>();
expectTypeOf(record.count).toEqualTypeOf<number>();
expectTypeOf(record.name).toEqualTypeOf<string>();
expectTypeOf(record.enabled).toEqualTypeOf<boolean>();
expectTypeOf(record.color).toEqualTypeOf<0 | 1>();
expectTypeOf(record.kind).toEqualTypeOf<number>();
expectTypeOf(record.wide).toEqualTypeOf<bigint>();
expectTypeOf(record.urgent).toEqualTypeOf<boolean>();
expectTypeOf(record.inner.weight).toEqualTypeOf<number>();
expectTypeOf(record.values).toEqualTypeOf<NumericArrayView<number, Uint16Array>>();
expectTypeOf(record.values.asTypedArray()).toEqualTypeOf<Uint16Array>();
expectTypeOf(record.names).toEqualTypeOf<ArrayView<string>>();
expectTypeOf(record.items).toEqualTypeOf<CompositeArrayView<StructRecord<typeof Inner.declaration>>>();
expectTypeOf(record.items.at(0).tag).toEqualTypeOf<number>();
expectTypeOf(Sample.array(new ArrayBuffer(0)).at(0)).toEqualTypeOf(record);
expectTypeOf(Sample.atomic('hits').add(record, 1)).toEqualTypeOf<number>();

// Assigning the right types compiles.
record.id = 1;
record.stamp = 1n;
record.name = 'x';
record.color = Color.members.green;
record.inner.tag = 2;
record.$assign({ inner: { weight: 1 }, values: [1, 2] });

// Wrong types, unknown fields, read-only views, padding and non-atomic fields do not compile.
// @ts-expect-error a string is not a uint32
record.id = 'one';
// @ts-expect-error a number is not a uint64 (bigint)
record.stamp = 1;
// @ts-expect-error a bigint is not an asNumber() int64
record.count = 1n;
// @ts-expect-error 2 is not a member of Color
record.color = 2;
// @ts-expect-error unknown field
record.missing = 1;
// @ts-expect-error unknown field on read
void record.missing;
// @ts-expect-error nested struct properties are read-only views
record.inner = Inner.create();
// @ts-expect-error padding is not a property
void record.reserved;
// @ts-expect-error id is not declared atomic
Sample.atomic('id');
// @ts-expect-error wrong init type
Sample.create({ id: 'x' });
// @ts-expect-error unknown init field
Sample.create({ nope: 1 });
// @ts-expect-error arrays of strings have no typed-array form
record.names.asTypedArray();
// @ts-expect-error 8-bit integers cannot be atomic
uint8.atomic();
// @ts-expect-error 32-bit integers have no asNumber()
uint32.asNumber();
// @ts-expect-error the record of another layout
Sample.atomic('hits').add(Inner.create(), 1);

const Word = union('Word', { value: uint32, bytes: array(uint8, 4) });
expectTypeOf(Word.create().bytes.get(0)).toEqualTypeOf<number>();
