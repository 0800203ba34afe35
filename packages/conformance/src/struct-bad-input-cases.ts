import {
  aligned,
  array,
  bits,
  bool,
  enumeration,
  float64,
  int16,
  int32,
  int64,
  padding,
  string,
  struct,
  toCHeader,
  uint8,
  uint16,
  uint32,
  union,
  type FieldType,
} from '@mmapkit/struct';
import type { ExpectedError } from './support.js';

/**
 * The bad-input table of `@mmapkit/struct`, in the shape of the backends' table: each case is a
 * call a user can make and the documented error (class and `code`) it must give. No fixture is
 * needed: every case builds its own small buffers.
 */

/** One bad input to `@mmapkit/struct` and the error it must give. */
export interface StructBadInputCase {
  readonly name: string;
  readonly call: () => unknown;
  readonly expected: ExpectedError;
}

const typeError = (code: string): ExpectedError => ({ name: 'TypeError', code });
const rangeError = (code: string): ExpectedError => ({ name: 'RangeError', code });

/** Declarations the cases share (all valid). */
const Point = struct('Point', { x: int32, y: int32 });
const Counter = struct('Counter', { tag: uint32, hits: int64.atomic() });
const Mixed = struct('Mixed', { wide: uint32, sample: int64.asNumber(), label: string(4) });
const Color = enumeration('Color', { red: 0, green: 1 }, uint8);
const Painted = struct('Painted', { color: Color, samples: array(int16, 4), flags: array(bool, 2) });
const Misaligned = struct('Misaligned', { tag: uint8, words: array(uint16.endian('big'), 2) });

/** Packed: its atomic field is at offset 0, but its size (5) misaligns the next record's. */
const Odd = struct('Odd', { hits: uint32.atomic(), tag: uint8 }, { packed: true });

/** Two different structs named `Twin`, nested in one layout. */
const twinA = struct('Twin', { a: uint8 });
const twinB = struct('Twin', { b: uint16 });

/** A buffer that is detached after `Point` first viewed it. */
function detachedAfterView(): ArrayBuffer {
  const buffer = new ArrayBuffer(Point.size);
  Point.view(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

/** The bulk methods numeric arrays have, called on an array whose element type has none. */
function typedArrayForms(view: unknown): { asTypedArray(): unknown; toTypedArray(): unknown } {
  return view as { asTypedArray(): unknown; toTypedArray(): unknown };
}

/** A `Mixed` record whose 64-bit `asNumber()` field holds 2^60. */
function mixedHoldingTwoToThe60(): unknown {
  const buffer = new ArrayBuffer(Mixed.size);
  new DataView(buffer).setBigInt64(Mixed.field('sample').offset, 2n ** 60n, true);
  return Mixed.view(buffer).sample;
}

/** The table of bad inputs `@mmapkit/struct` rejects, at least one per error code. */
export const structBadInputCases: readonly StructBadInputCase[] = [
  // names
  { name: 'a struct name with a space', call: () => struct('not valid', { x: uint8 }), expected: typeError('ERR_STRUCT_INVALID_NAME') },
  { name: 'a struct name that is a C keyword', call: () => struct('int', { x: uint8 }), expected: typeError('ERR_STRUCT_INVALID_NAME') },
  { name: 'a field name with a dash', call: () => struct('Good', { 'bad-name': uint8 }), expected: typeError('ERR_STRUCT_INVALID_NAME') },
  { name: 'a field name records reserve', call: () => struct('Good', { constructor: uint8 }), expected: typeError('ERR_STRUCT_INVALID_NAME') },
  { name: 'an enum member that is not an identifier', call: () => enumeration('Level', { '1st': 1 }), expected: typeError('ERR_STRUCT_INVALID_NAME') },
  // declarations
  { name: 'fields that are not an object', call: () => struct('Empty', null as never), expected: typeError('ERR_STRUCT_INVALID_DECLARATION') },
  { name: 'a struct without fields', call: () => struct('Empty', {}), expected: typeError('ERR_STRUCT_INVALID_DECLARATION') },
  { name: 'an enumeration without members', call: () => enumeration('Nothing', {}), expected: typeError('ERR_STRUCT_INVALID_DECLARATION') },
  // field types
  { name: 'a field type that is a string', call: () => struct('Bad', { x: 'int32' as unknown as FieldType }), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'atomic() on an 8-bit integer', call: () => (uint8 as unknown as { atomic(): unknown }).atomic(), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'asNumber() on a 32-bit integer', call: () => (uint32 as unknown as { asNumber(): unknown }).asNumber(), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'an array of padding', call: () => array(padding(2), 2), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'an array of atomic integers', call: () => array(int32.atomic(), 2), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'a bitfield of a float', call: () => bits(float64 as never, 3), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'a bitfield of an atomic integer', call: () => bits(uint32.atomic() as never, 3), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'an enumeration based on a 64-bit integer', call: () => enumeration('Wide', { one: 1 }, int64 as never), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'aligned() of a bitfield', call: () => aligned(bits(uint8, 2), 4), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  { name: 'toCHeader() of a field type', call: () => toCHeader(uint8 as never), expected: typeError('ERR_STRUCT_INVALID_FIELD_TYPE') },
  // options and byte orders
  { name: 'struct options that are a string', call: () => struct('Options', { x: uint8 }, 'packed' as never), expected: typeError('ERR_STRUCT_INVALID_OPTION') },
  { name: 'a misspelled struct option', call: () => struct('Options', { x: uint8 }, { pakced: true } as never), expected: typeError('ERR_STRUCT_INVALID_OPTION') },
  { name: 'a non-boolean packed', call: () => struct('Options', { x: uint8 }, { packed: 1 as never }), expected: typeError('ERR_STRUCT_INVALID_OPTION') },
  { name: 'array() options that are null', call: () => Point.array(new ArrayBuffer(16), null as never), expected: typeError('ERR_STRUCT_INVALID_OPTION') },
  { name: 'an unknown byte order for a field', call: () => uint32.endian('middle' as never), expected: typeError('ERR_STRUCT_INVALID_ENDIAN') },
  { name: 'an unknown byte order for a struct', call: () => struct('Order', { x: uint8 }, { endian: 'network' as never }), expected: typeError('ERR_STRUCT_INVALID_ENDIAN') },
  // numbers in declarations
  { name: 'a string of length 0', call: () => string(0), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'padding of 1.5 bytes', call: () => padding(1.5), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'an array of 2^31 elements', call: () => array(uint8, 2 ** 31), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'an alignment that is not a power of two', call: () => aligned(uint32, 3), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'a struct align of 8192', call: () => struct('Align', { x: uint8 }, { align: 8192 }), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'a bitfield wider than its base', call: () => bits(uint8, 9), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'an enum member that does not fit its base', call: () => enumeration('Small', { big: 300 }, uint8), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'a negative byteOffset for view()', call: () => Point.view(new ArrayBuffer(16), -1), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  { name: 'a fractional length for array()', call: () => Point.array(new ArrayBuffer(16), { length: 0.5 }), expected: rangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE') },
  // atomic fields in declarations
  { name: 'a big-endian atomic field', call: () => struct('Big', { hits: uint32.atomic() }, { endian: 'big' }), expected: typeError('ERR_STRUCT_INVALID_ATOMIC') },
  { name: 'an atomic field misaligned by packed', call: () => struct('Packed', { tag: uint8, hits: uint32.atomic() }, { packed: true }), expected: typeError('ERR_STRUCT_INVALID_ATOMIC') },
  {
    name: 'a struct with atomic fields placed at a misaligned offset',
    call: () => struct('Outer', { tag: uint8, inner: Counter }, { packed: true }),
    expected: typeError('ERR_STRUCT_INVALID_ATOMIC'),
  },
  {
    name: 'an array of a struct whose size misaligns the atomic fields of later elements',
    call: () => array(Odd, 2),
    expected: typeError('ERR_STRUCT_INVALID_ATOMIC'),
  },
  // names in a header and on layouts
  { name: 'two different structs with one tag in a header', call: () => toCHeader(struct('Both', { first: twinA, second: twinB })), expected: typeError('ERR_STRUCT_DUPLICATE_NAME') },
  { name: 'field() of a name the layout lacks', call: () => Point.field('z' as never), expected: typeError('ERR_STRUCT_UNKNOWN_FIELD') },
  { name: 'create() with a value for an unknown field', call: () => Point.create({ z: 1 } as never), expected: typeError('ERR_STRUCT_UNKNOWN_FIELD') },
  { name: 'atomic() of a field not declared atomic', call: () => Counter.atomic('tag' as never), expected: typeError('ERR_STRUCT_NOT_ATOMIC') },
  // sources and placement
  { name: 'a string as the source', call: () => Point.view('buffer' as never), expected: typeError('ERR_STRUCT_INVALID_SOURCE') },
  { name: 'a plain array as the source', call: () => Point.array([1, 2, 3] as never), expected: typeError('ERR_STRUCT_INVALID_SOURCE') },
  { name: 'a source detached after it was first viewed', call: () => Point.view(detachedAfterView()), expected: typeError('ERR_STRUCT_DETACHED') },
  { name: 'a view that does not fit its source', call: () => Point.view(new ArrayBuffer(Point.size - 1)), expected: rangeError('ERR_STRUCT_OUT_OF_BOUNDS') },
  { name: 'an array byteOffset past the end', call: () => Point.array(new ArrayBuffer(16), { byteOffset: 17 }), expected: rangeError('ERR_STRUCT_OUT_OF_BOUNDS') },
  { name: 'more records than fit', call: () => Point.array(new ArrayBuffer(16), { length: 3 }), expected: rangeError('ERR_STRUCT_OUT_OF_BOUNDS') },
  { name: 'records with atomic fields at a misaligned address', call: () => Counter.view(new ArrayBuffer(64), 4), expected: rangeError('ERR_STRUCT_MISALIGNED_OFFSET') },
  { name: 'an array of records with atomic fields misaligned', call: () => Counter.array(new Uint8Array(new ArrayBuffer(64), 4, 32)), expected: rangeError('ERR_STRUCT_MISALIGNED_OFFSET') },
  { name: 'an array of records whose size misaligns atomic fields', call: () => Odd.array(new ArrayBuffer(20)), expected: rangeError('ERR_STRUCT_MISALIGNED_OFFSET') },
  // indexes
  { name: 'a negative record index', call: () => Point.array(new ArrayBuffer(16)).at(-1), expected: rangeError('ERR_STRUCT_INDEX_OUT_OF_RANGE') },
  { name: 'a record index past the end', call: () => Point.array(new ArrayBuffer(16)).get(2), expected: rangeError('ERR_STRUCT_INDEX_OUT_OF_RANGE') },
  { name: 'a fractional element index', call: () => Painted.create().samples.get(1.5), expected: rangeError('ERR_STRUCT_INDEX_OUT_OF_RANGE') },
  // records and written values
  { name: 'an atomic operation on a record of another layout', call: () => Counter.atomic('hits').load(Point.create() as never), expected: typeError('ERR_STRUCT_NOT_A_RECORD') },
  { name: 'create() with a number for values', call: () => Point.create(5 as never), expected: typeError('ERR_STRUCT_INVALID_VALUE') },
  { name: 'a number written to a string field', call: () => Object.assign(Mixed.create(), { label: 5 }), expected: typeError('ERR_STRUCT_INVALID_VALUE') },
  { name: 'a string with a NUL written to a string field', call: () => Object.assign(Mixed.create(), { label: 'a\0b' }), expected: typeError('ERR_STRUCT_INVALID_VALUE') },
  { name: 'assign() of a number to an array field', call: () => Painted.create().samples.assign(7 as never), expected: typeError('ERR_STRUCT_INVALID_VALUE') },
  { name: 'a string longer than its field', call: () => Object.assign(Mixed.create(), { label: 'too long' }), expected: rangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE') },
  { name: 'more values than an array field holds', call: () => Painted.create().samples.assign([1, 2, 3, 4, 5]), expected: rangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE') },
  { name: 'a value that is not an enum member', call: () => Object.assign(Painted.create(), { color: 7 }), expected: rangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE') },
  { name: '2^53 written to an asNumber() field', call: () => Object.assign(Mixed.create(), { sample: 2 ** 53 }), expected: rangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE') },
  { name: 'reading 2^60 from an asNumber() field', call: mixedHoldingTwoToThe60, expected: rangeError('ERR_STRUCT_UNSAFE_INTEGER') },
  // typed-array forms
  { name: 'asTypedArray() of an array of bools', call: () => typedArrayForms(Painted.create().flags).asTypedArray(), expected: typeError('ERR_STRUCT_NO_TYPED_ARRAY') },
  { name: 'toTypedArray() of an array of bools', call: () => typedArrayForms(Painted.create().flags).toTypedArray(), expected: typeError('ERR_STRUCT_NO_TYPED_ARRAY') },
  { name: 'asTypedArray() of big-endian elements', call: () => Misaligned.create().words.asTypedArray(), expected: rangeError('ERR_STRUCT_TYPED_ARRAY_NEEDS_COPY') },
  // unions share the rules
  { name: 'a union without members', call: () => union('Nothing', {}), expected: typeError('ERR_STRUCT_INVALID_DECLARATION') },
];
