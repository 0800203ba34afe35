/**
 * Field type constructors: the vocabulary of declarations.
 */
import type {
  AlignedType,
  ArrayType,
  BitfieldType,
  BoolType,
  EnumType,
  FieldType,
  FieldValueOf,
  FloatType,
  Integer32Type,
  Integer64Type,
  IntegerType,
  PaddingType,
  SmallIntegerType,
  StringType,
} from './api.js';
import { checkCount, checkIdentifier, checkPowerOfTwo, describeValue } from './checks.js';
import {
  AlignedDescriptor,
  ArrayDescriptor,
  BitfieldDescriptor,
  BoolDescriptor,
  EnumDescriptor,
  FloatDescriptor,
  IntegerDescriptor,
  PaddingDescriptor,
  StringDescriptor,
  describe,
} from './descriptors.js';
import { StructRangeError, StructTypeError } from './errors.js';

/**
 * `int8_t`: a signed 8-bit integer, read as a `number`.
 *
 * Writes wrap modulo 2^8, as a C assignment does.
 * @example
 * ```ts
 * const Sample = struct('Sample', { delta: int8 });
 * ```
 */
export const int8 = new IntegerDescriptor(1, true) as unknown as SmallIntegerType<Int8Array>;
/**
 * `uint8_t`: an unsigned 8-bit integer (`number`); writes wrap modulo 2^8.
 * @example
 * ```ts
 * const Pixel = struct('Pixel', { red: uint8, green: uint8, blue: uint8 });
 * ```
 */
export const uint8 = new IntegerDescriptor(1, false) as unknown as SmallIntegerType<Uint8Array>;
/**
 * `int16_t`: a signed 16-bit integer (`number`); writes wrap modulo 2^16.
 * @example
 * ```ts
 * const Sample = struct('Sample', { left: int16, right: int16 });
 * ```
 */
export const int16 = new IntegerDescriptor(2, true) as unknown as SmallIntegerType<Int16Array>;
/**
 * `uint16_t`: an unsigned 16-bit integer (`number`); `.endian('big')` for network order.
 * @example
 * ```ts
 * const Header = struct('Header', { port: uint16.endian('big') });
 * ```
 */
export const uint16 = new IntegerDescriptor(2, false) as unknown as SmallIntegerType<Uint16Array>;
/**
 * `int32_t`: a signed 32-bit integer (`number`); `.atomic()` enables `layout.atomic(name)`.
 * @example
 * ```ts
 * const Counter = struct('Counter', { hits: int32.atomic() });
 * ```
 */
export const int32 = new IntegerDescriptor(4, true) as unknown as Integer32Type<false, Int32Array>;
/**
 * `uint32_t`: an unsigned 32-bit integer (`number`); `.atomic()` enables atomic operations.
 * @example
 * ```ts
 * const Entry = struct('Entry', { flags: uint32, version: uint32.atomic() });
 * ```
 */
export const uint32 = new IntegerDescriptor(4, false) as unknown as Integer32Type<false, Uint32Array>;
/**
 * `int64_t`: a signed 64-bit integer, read as a `bigint`; `.asNumber()` reads a `number`
 * instead (a `RangeError` past 2^53 - 1 in magnitude).
 * @example
 * ```ts
 * const Event = struct('Event', { timestamp: int64, sequence: int64.asNumber() });
 * ```
 */
export const int64 = new IntegerDescriptor(8, true) as unknown as Integer64Type<bigint, false, BigInt64Array>;
/**
 * `uint64_t`: an unsigned 64-bit integer, `bigint` by default, `number` after `.asNumber()`.
 * @example
 * ```ts
 * const Block = struct('Block', { checksum: uint64, length: uint64.asNumber() });
 * ```
 */
export const uint64 = new IntegerDescriptor(8, false) as unknown as Integer64Type<bigint, false, BigUint64Array>;
/**
 * `float`: IEEE 754 single precision (`number`, rounded on write).
 * @example
 * ```ts
 * const Vertex = struct('Vertex', { x: float32, y: float32, z: float32 });
 * ```
 */
export const float32 = new FloatDescriptor(4) as unknown as FloatType<Float32Array>;
/**
 * `double`: IEEE 754 double precision (`number`).
 * @example
 * ```ts
 * const Quote = struct('Quote', { price: float64 });
 * ```
 */
export const float64 = new FloatDescriptor(8) as unknown as FloatType<Float64Array>;
/**
 * `_Bool`: one byte; reads `true` for any non-zero byte, writes 1 or 0.
 * @example
 * ```ts
 * const Flag = struct('Flag', { enabled: bool });
 * ```
 */
export const bool = new BoolDescriptor() as unknown as BoolType;

/**
 * `char name[length]` holding UTF-8 text, NUL-padded. A value of exactly `length` bytes is
 * stored without a terminating NUL; reading stops at the first NUL or at `length`.
 *
 * @param length - capacity in bytes, an integer from 1.
 * @throws RangeError if `length` is not a positive integer.
 * @throws (on write) RangeError if the UTF-8 encoding is longer than `length`; TypeError if the
 * text contains a NUL character.
 * @example
 * ```ts
 * const User = struct('User', { name: string(32) });
 * const user = User.create({ name: 'Ada' });
 * ```
 */
export function string(length: number): StringType {
  checkCount(length, 'length');
  return new StringDescriptor(length) as unknown as StringType;
}

/**
 * Explicit padding: `uint8_t name[size]` in C, laid out but not visible on records.
 *
 * @param size - bytes, an integer from 1.
 * @throws RangeError if `size` is not a positive integer.
 * @example
 * ```ts
 * const Header = struct('Header', { tag: uint8, reserved: padding(3), length: uint32 });
 * ```
 */
export function padding(size: number): PaddingType {
  checkCount(size, 'size');
  return new PaddingDescriptor(size) as unknown as PaddingType;
}

/** Integer types an enumeration or a bitfield can be based on. */
type EnumBase = SmallIntegerType<NumericTypedArray8To16> | Integer32Type<false, Int32Array | Uint32Array>;
type NumericTypedArray8To16 = Int8Array | Uint8Array | Int16Array | Uint16Array;

/**
 * An enumeration stored in an integer field. The record property's type is the union of the
 * member values, so a wrong number fails to compile; at runtime, writing a value that is not a
 * member throws a `RangeError` (reading returns whatever the memory holds).
 *
 * @param name - the C enum tag, a C identifier.
 * @param members - member names to integer values.
 * @param base - the stored integer type.
 * @defaultValue `base`: `uint32` (what gcc uses for an enum without negative values)
 * @throws TypeError for a name that is not a C identifier or an empty member list; RangeError
 * for a member value that does not fit `base`.
 * @example
 * ```ts
 * const Color = enumeration('Color', { red: 0, green: 1, blue: 2 });
 * const Pixel = struct('Pixel', { color: Color });
 * Pixel.create().color = Color.members.blue;
 * ```
 */
export function enumeration<const TMembers extends Readonly<Record<string, number>>>(
  name: string,
  members: TMembers,
  base: EnumBase = uint32,
): EnumType<TMembers[keyof TMembers], TMembers> {
  checkIdentifier(name, 'name');
  if (typeof members !== 'object' || members === null || Object.keys(members).length === 0) {
    throw new StructTypeError('ERR_STRUCT_INVALID_DECLARATION', `members must be an object with at least one member, got ${describeValue(members)}`);
  }
  const baseDescriptor = describe(base, 'base');
  if (baseDescriptor.kind !== 'int' || baseDescriptor.size > 4 || baseDescriptor.isAtomic) {
    throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `base must be a non-atomic integer type of at most 32 bits, got ${describeValue(base)}`);
  }
  const low = baseDescriptor.signed ? -(2 ** (baseDescriptor.size * 8 - 1)) : 0;
  const high = baseDescriptor.signed ? 2 ** (baseDescriptor.size * 8 - 1) - 1 : 2 ** (baseDescriptor.size * 8) - 1;
  for (const [memberName, value] of Object.entries(members)) {
    checkIdentifier(memberName, `members.${memberName}`);
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new StructRangeError(
        'ERR_STRUCT_ARGUMENT_OUT_OF_RANGE',
        `members.${memberName} must be an integer from ${low} to ${high} (${baseDescriptor.cType}), got ${describeValue(value)}`,
      );
    }
  }
  return new EnumDescriptor(name, Object.freeze({ ...members }), baseDescriptor) as unknown as EnumType<
    TMembers[keyof TMembers],
    TMembers
  >;
}

/** Value of a bitfield of base type `TBase`. */
type BitfieldValue<TBase> = TBase extends BoolType ? boolean : FieldValueOf<TBase>;

/**
 * A bitfield `base name : width`, placed exactly where gcc places it (x86-64 / AArch64 rules:
 * a field never straddles a storage unit of its declared type unless the struct is `packed`).
 * Signed bases sign-extend. The value type follows the base: `number`, `bigint` for 64-bit
 * bases (unless `.asNumber()`), `boolean` for `bool` (width 1).
 *
 * @param base - an integer type (not atomic) or `bool`.
 * @param width - bits, from 1 to the base's size in bits.
 * @throws TypeError for another base type; RangeError for a width out of range.
 * @example
 * ```ts
 * const Flags = struct('Flags', { kind: bits(uint32, 3), urgent: bits(bool, 1), count: bits(uint32, 28) });
 * ```
 */
export function bits<TBase extends IntegerType | BoolType>(base: TBase, width: number): BitfieldType<BitfieldValue<TBase>> {
  const baseDescriptor = describe(base, 'base');
  if (baseDescriptor.kind !== 'int' && baseDescriptor.kind !== 'bool') {
    throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `base must be an integer type or bool, got a ${baseDescriptor.kind} type`);
  }
  if (baseDescriptor.kind === 'int' && baseDescriptor.isAtomic) {
    throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', 'base must not be atomic: bitfields cannot be accessed atomically');
  }
  const maximum = baseDescriptor.kind === 'bool' ? 1 : baseDescriptor.size * 8;
  if (!Number.isInteger(width) || width < 1 || width > maximum) {
    throw new StructRangeError('ERR_STRUCT_ARGUMENT_OUT_OF_RANGE', `width must be an integer from 1 to ${maximum}, got ${describeValue(width)}`);
  }
  return new BitfieldDescriptor(baseDescriptor, width) as unknown as BitfieldType<BitfieldValue<TBase>>;
}

/**
 * A fixed array `element name[length]`. Arrays of arrays are multi-dimensional C arrays. On a
 * record the field is a read-only view: numeric arrays offer bulk typed-array access
 * (`toTypedArray()`, `asTypedArray()`), composite ones `at(index)`.
 *
 * @param element - any field type except padding, bitfields, `aligned()` and atomic integers.
 * @param length - element count, an integer from 1.
 * @throws TypeError for an element type that cannot be an array element; RangeError for a bad
 * length.
 * @example
 * ```ts
 * const Matrix = struct('Matrix', { cells: array(array(float64, 4), 4) });
 * const Samples = struct('Samples', { values: array(int16, 128) });
 * ```
 */
export function array<TElement extends FieldType>(element: TElement, length: number): ArrayType<TElement> {
  const elementDescriptor = describe(element, 'element');
  if (
    elementDescriptor.kind === 'padding' ||
    elementDescriptor.kind === 'bits' ||
    elementDescriptor.kind === 'aligned'
  ) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_FIELD_TYPE',
      `element cannot be a ${elementDescriptor.kind} type: arrays hold whole, unaligned-by-request members`,
    );
  }
  if (elementDescriptor.kind === 'int' && elementDescriptor.isAtomic) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_FIELD_TYPE',
      'element cannot be an atomic integer: declare an array of structs with an atomic field instead',
    );
  }
  checkCount(length, 'length');
  if (elementDescriptor.kind === 'struct' && elementDescriptor.atomicAlignment > 0) {
    if (elementDescriptor.size % elementDescriptor.atomicAlignment !== 0) {
      throw new StructTypeError(
        'ERR_STRUCT_INVALID_ATOMIC',
        `element ${elementDescriptor.name} has atomic fields but its size ${elementDescriptor.size} is not a multiple of ${elementDescriptor.atomicAlignment}, so array elements after the first would be misaligned`,
      );
    }
  }
  return new ArrayDescriptor(elementDescriptor, length) as unknown as ArrayType<TElement>;
}

/**
 * Raises the alignment of one member, like `__attribute__((aligned(alignment)))` on it. Inside
 * a `packed` struct this is the way to keep a member aligned.
 *
 * @param type - any field type except padding and bitfields.
 * @param alignment - a power of two from 1 to 4096.
 * @throws TypeError for padding or bitfields; RangeError for an alignment that is not a power of two.
 * @example
 * ```ts
 * const Slot = struct('Slot', { tag: uint8, value: aligned(uint64, 16) });
 * ```
 */
export function aligned<TType extends FieldType>(type: TType, alignment: number): AlignedType<TType> {
  const descriptor = describe(type, 'type');
  if (descriptor.kind === 'padding' || descriptor.kind === 'bits' || descriptor.kind === 'aligned') {
    throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `type cannot be a ${descriptor.kind} type`);
  }
  checkPowerOfTwo(alignment, 'alignment');
  return new AlignedDescriptor(descriptor, alignment) as unknown as AlignedType<TType>;
}
