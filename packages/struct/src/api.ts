/**
 * Public types of `@mmapkit/struct`: field types, layouts, record views, arrays of records and
 * atomic field handles. Runtime code lives in the other modules; this file holds types only.
 *
 * @packageDocumentation
 */

/** Byte order of a scalar field: `'little'` (x86-64, AArch64) or `'big'` (network order). */
export type Endian = 'little' | 'big';

/** The runtime discriminator of every field type. */
export type FieldKind =
  | 'int'
  | 'float'
  | 'bool'
  | 'string'
  | 'enum'
  | 'bits'
  | 'padding'
  | 'array'
  | 'struct'
  | 'aligned';

/**
 * How a field appears on a record: `'value'` is a read/write property, `'view'` a read-only
 * property returning a live view (nested struct, array), `'none'` is not visible (padding).
 */
export type FieldAccess = 'value' | 'view' | 'none';

/** Anything a view can be created over. Views never copy: they read and write this memory. */
export type StructSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** Integer typed arrays that `asTypedArray()` / `toTypedArray()` can return. */
export type NumericTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

declare const fieldTypeInfo: unique symbol;

/**
 * Compile-time information carried by every field type. It exists only in the type system
 * (the property is never set at runtime) and is how records infer their property types.
 */
export interface FieldTypeInfo<TValue, TInit, TPlain, TAccess extends FieldAccess, TTyped> {
  readonly value: TValue;
  readonly init: TInit;
  readonly plain: TPlain;
  readonly access: TAccess;
  readonly typedArray: TTyped;
}

/**
 * The common shape of every field type: scalars, strings, arrays, nested layouts, padding.
 *
 * @typeParam TValue - what reading the field gives.
 * @typeParam TInit - what `create()` / `$assign()` accept for it.
 * @typeParam TPlain - what `$toObject()` gives for it.
 * @typeParam TAccess - how it appears on a record.
 * @typeParam TTyped - the typed array for bulk access to arrays of it (`never` when none).
 */
export interface FieldType<
  TValue = unknown,
  TInit = unknown,
  TPlain = unknown,
  TAccess extends FieldAccess = FieldAccess,
  TTyped = unknown,
> {
  /** Runtime discriminator. */
  readonly kind: FieldKind;
  /** `sizeof` in bytes. */
  readonly size: number;
  /** `_Alignof` in bytes (before `packed` or `aligned()` adjust it inside a struct). */
  readonly alignment: number;
  /** Type-level only; never present at runtime. */
  readonly [fieldTypeInfo]?: FieldTypeInfo<TValue, TInit, TPlain, TAccess, TTyped>;
}

/** A field type read and written as a plain value. */
export type ValueType<TValue, TTyped = never> = FieldType<TValue, TValue, TValue, 'value', TTyped>;

/** 8- and 16-bit integers (`int8_t` ... `uint16_t`). */
export interface SmallIntegerType<TTyped extends NumericTypedArray> extends ValueType<number, TTyped> {
  readonly kind: 'int';
  readonly signed: boolean;
  /** The C type name, such as `uint16_t`. */
  readonly cType: string;
  /** The byte order requested with `.endian()`, or `undefined` to follow the struct. */
  readonly byteOrder: Endian | undefined;
  readonly isAtomic: false;
  readonly representation: 'number';
  /** The same type with a fixed byte order, whatever the struct's `endian`. */
  endian(endian: Endian): SmallIntegerType<TTyped>;
}

/** 32-bit integers (`int32_t`, `uint32_t`); `.atomic()` enables atomic operations. */
export interface Integer32Type<TAtomic extends boolean, TTyped extends NumericTypedArray>
  extends ValueType<number, TTyped> {
  readonly kind: 'int';
  readonly signed: boolean;
  readonly cType: string;
  readonly byteOrder: Endian | undefined;
  readonly isAtomic: TAtomic;
  readonly representation: 'number';
  endian(endian: Endian): Integer32Type<TAtomic, TTyped>;
  /** The same type, declared for `Atomics` (must be little-endian and naturally aligned). */
  atomic(): Integer32Type<true, TTyped>;
}

/** 64-bit integers: `bigint` by default, `number` after `.asNumber()`. */
export interface Integer64Type<TValue extends number | bigint, TAtomic extends boolean, TTyped>
  extends ValueType<TValue, TTyped> {
  readonly kind: 'int';
  readonly signed: boolean;
  readonly cType: string;
  readonly byteOrder: Endian | undefined;
  readonly isAtomic: TAtomic;
  readonly representation: TValue extends bigint ? 'bigint' : 'number';
  endian(endian: Endian): Integer64Type<TValue, TAtomic, TTyped>;
  atomic(): Integer64Type<TValue, true, TTyped>;
  /**
   * The same type read and written as a `number`. Reading a value whose magnitude exceeds
   * `Number.MAX_SAFE_INTEGER` (2^53 - 1), or writing one, throws a `RangeError`.
   */
  asNumber(): Integer64Type<number, TAtomic, never>;
}

/** Any integer type. */
export type IntegerType =
  | SmallIntegerType<NumericTypedArray>
  | Integer32Type<boolean, NumericTypedArray>
  | Integer64Type<number | bigint, boolean, unknown>;

/** `float` / `double`. */
export interface FloatType<TTyped extends Float32Array | Float64Array> extends ValueType<number, TTyped> {
  readonly kind: 'float';
  readonly cType: 'float' | 'double';
  readonly byteOrder: Endian | undefined;
  endian(endian: Endian): FloatType<TTyped>;
}

/** C `_Bool` (one byte; reads as `true` for any non-zero byte, writes 0 or 1). */
export interface BoolType extends ValueType<boolean> {
  readonly kind: 'bool';
  readonly cType: '_Bool';
}

/** `char name[length]`: UTF-8, NUL-padded, not necessarily NUL-terminated when full. */
export interface StringType extends ValueType<string> {
  readonly kind: 'string';
  /** Capacity in bytes. */
  readonly length: number;
}

/** An enumeration stored in an integer type; the record property is the union of its values. */
export interface EnumType<TValue extends number, TMembers extends Readonly<Record<string, number>>>
  extends ValueType<TValue> {
  readonly kind: 'enum';
  readonly name: string;
  readonly members: TMembers;
  readonly base: IntegerType;
  readonly byteOrder: Endian | undefined;
  endian(endian: Endian): EnumType<TValue, TMembers>;
}

/** A bitfield: `base name : width`. */
export interface BitfieldType<TValue> extends ValueType<TValue> {
  readonly kind: 'bits';
  readonly base: IntegerType | BoolType;
  readonly width: number;
}

/** Explicit padding bytes: laid out, emitted in C, invisible on records. */
export interface PaddingType extends FieldType<never, never, never, 'none', never> {
  readonly kind: 'padding';
}

/** Read-only view over a fixed array of scalars. Live: reads and writes go to the buffer. */
export interface ArrayView<TValue> extends Iterable<TValue> {
  /** Number of elements. */
  readonly length: number;
  /** Reads element `index` (a `RangeError` outside `0 .. length - 1`). */
  get(index: number): TValue;
  /** Writes element `index` (a `RangeError` outside `0 .. length - 1`). */
  set(index: number, value: TValue): void;
  /** Writes `values[0..]` into elements `0..` (a `RangeError` if there are more values than elements). */
  assign(values: ArrayLike<TValue>): void;
  /** A plain array copy of the elements. */
  toArray(): TValue[];
}

/** An array of numeric scalars, with bulk typed-array access. */
export interface NumericArrayView<TValue extends number | bigint, TTyped extends NumericTypedArray>
  extends ArrayView<TValue> {
  /** A new typed array holding a copy of the elements (any byte order, any alignment). */
  toTypedArray(): TTyped;
  /**
   * A zero-copy typed array over the elements: writes through it reach the buffer. Needs the
   * host byte order and an address aligned to the element size; otherwise a `RangeError`.
   */
  asTypedArray(): TTyped;
  /** Whether `asTypedArray()` can succeed for this array at its current position. */
  readonly canViewAsTypedArray: boolean;
}

/** An array of composite elements (structs, unions, arrays). */
export interface CompositeArrayView<TElement> extends Iterable<TElement> {
  readonly length: number;
  /**
   * Element `index`, through one reusable cursor owned by this array view: no allocation, but
   * the object returned by the previous `at()` call now points at the new element.
   */
  at(index: number): TElement;
  /** Element `index` as a new, independent view. */
  get(index: number): TElement;
}

/** Maps a field type to the view an array of it gives. */
export type ArrayViewOf<TElement> = FieldAccessOf<TElement> extends 'view'
  ? CompositeArrayView<FieldValueOf<TElement>>
  : [FieldTypedArrayOf<TElement>] extends [never]
    ? ArrayView<FieldValueOf<TElement>>
    : FieldTypedArrayOf<TElement> extends NumericTypedArray
      ? FieldValueOf<TElement> extends number | bigint
        ? NumericArrayView<FieldValueOf<TElement>, FieldTypedArrayOf<TElement>>
        : ArrayView<FieldValueOf<TElement>>
      : ArrayView<FieldValueOf<TElement>>;

/** `element name[length]`. */
export interface ArrayType<TElement extends FieldType>
  extends FieldType<
    ArrayViewOf<TElement>,
    ArrayLike<FieldInitOf<TElement>>,
    FieldPlainOf<TElement>[],
    'view',
    never
  > {
  readonly kind: 'array';
  readonly element: TElement;
  readonly length: number;
}

/** A field with an alignment raised by `aligned()` (`__attribute__((aligned(n)))`). */
export interface AlignedType<TType extends FieldType>
  extends FieldType<
    FieldValueOf<TType>,
    FieldInitOf<TType>,
    FieldPlainOf<TType>,
    FieldAccessOf<TType>,
    FieldTypedArrayOf<TType>
  > {
  readonly kind: 'aligned';
  readonly type: TType;
  /** The requested alignment in bytes. */
  readonly requestedAlignment: number;
  readonly isAtomic: TType extends { readonly isAtomic: true } ? true : false;
}

/** The declaration of a struct or union: field names to field types, in C order. */
export type FieldMap = { readonly [name: string]: FieldType };

type InfoOf<T> = T extends FieldType ? NonNullable<T[typeof fieldTypeInfo]> : never;
/** What reading a field of type `T` gives. */
export type FieldValueOf<T> = InfoOf<T>['value'];
/** What `create()` / `$assign()` accept for a field of type `T`. */
export type FieldInitOf<T> = InfoOf<T>['init'];
/** What `$toObject()` gives for a field of type `T`. */
export type FieldPlainOf<T> = InfoOf<T>['plain'];
/** How a field of type `T` appears on a record. */
export type FieldAccessOf<T> = InfoOf<T>['access'];
/** The typed array of a numeric type `T`, `never` for others. */
export type FieldTypedArrayOf<T> = InfoOf<T>['typedArray'];

type KeysWithAccess<F extends FieldMap, A extends FieldAccess> = {
  [K in keyof F]: FieldAccessOf<F[K]> extends A ? K : never;
}[keyof F] &
  string;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Names of the fields of `F` declared with `.atomic()`. */
export type AtomicFieldName<F extends FieldMap> = {
  [K in keyof F]: F[K] extends { readonly isAtomic: true } ? K : never;
}[keyof F] &
  string;

/** `T` with `bigint` replaced by `string`, deeply (what `toJSON()` gives). */
export type Jsonified<T> = T extends bigint
  ? string
  : T extends readonly (infer E)[]
    ? Jsonified<E>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** Plain-object form of a record (`$toObject()`, `JSON.stringify`). */
export type StructPlain<F extends FieldMap> = Simplify<{
  [K in KeysWithAccess<F, 'value' | 'view'>]: FieldPlainOf<F[K]>;
}>;

/** Values accepted by `create()` and `$assign()`: any subset of the fields. */
export type StructInit<F extends FieldMap> = Simplify<{
  [K in KeysWithAccess<F, 'value' | 'view'>]?: FieldInitOf<F[K]>;
}>;

/** Members every record has besides its fields. Their names start with `$` (never a field name). */
export interface RecordMembers<F extends FieldMap> {
  /** The layout this record is a view of. */
  readonly $layout: StructLayout<F>;
  /** Offset of the record in its source, in bytes. */
  readonly $byteOffset: number;
  /** Writes the given fields (nested structs and arrays included); returns the record. */
  $assign(values: StructInit<F>): this;
  /** Copies every field into a plain object (arrays become arrays). */
  $toObject(): StructPlain<F>;
  /** `$toObject()` with every `bigint` turned into its decimal string, for `JSON.stringify`. */
  toJSON(): Jsonified<StructPlain<F>>;
}

/**
 * A live view of one record: scalar fields are read/write properties, nested structs and
 * arrays are read-only properties returning views.
 */
export type StructRecord<F extends FieldMap> = Simplify<
  { -readonly [K in KeysWithAccess<F, 'value'>]: FieldValueOf<F[K]> } & {
    readonly [K in KeysWithAccess<F, 'view'>]: FieldValueOf<F[K]>;
  }
> &
  RecordMembers<F>;

/** The computed position of one field, as the C compiler places it. */
export interface FieldLayout {
  /** Field name. */
  readonly name: string;
  /** The declared type (with any `aligned()` wrapper removed). */
  readonly type: FieldType;
  /** `offsetof`; for a bitfield, the byte holding its first bit. */
  readonly offset: number;
  /** `sizeof` of the member; for a bitfield, `sizeof` of its declared type. */
  readonly size: number;
  /** The member's effective alignment inside this struct (1 when `packed`). */
  readonly alignment: number;
  /** Effective byte order of the member's scalars. */
  readonly endian: Endian;
  /** For bitfields: position of the first bit from the start of the struct (gcc's numbering). */
  readonly bitOffset: number | undefined;
  /** For bitfields: width in bits. */
  readonly bitWidth: number | undefined;
}

/** Options of `struct()` and `union()`. */
export interface StructOptions {
  /**
   * Lay members out without padding, like `__attribute__((packed))`. Members wrapped in
   * `aligned()` keep their requested alignment.
   * @defaultValue `false`
   */
  readonly packed?: boolean;
  /**
   * Minimum alignment of the whole struct, like `__attribute__((aligned(n)))`; a power of two.
   * @defaultValue the largest member alignment
   */
  readonly align?: number;
  /**
   * Byte order of the scalars that do not set their own with `.endian()`. Nested structs keep
   * their own. Emitted in C as `scalar_storage_order`.
   * @defaultValue `'little'`
   */
  readonly endian?: Endian;
}

/** Options of `layout.array()`. */
export interface StructArrayOptions {
  /**
   * Offset of the first record in the source, in bytes.
   * @defaultValue `0`
   */
  readonly byteOffset?: number;
  /**
   * Number of records.
   * @defaultValue as many whole records as fit after `byteOffset`
   */
  readonly length?: number;
}

/** An array of records laid out back to back (stride `layout.size`) in one source. */
export interface StructArray<F extends FieldMap> extends Iterable<StructRecord<F>> {
  readonly layout: StructLayout<F>;
  /** Number of records. */
  readonly length: number;
  /** Offset of record 0 in the source, in bytes. */
  readonly byteOffset: number;
  /** `length * layout.size`. */
  readonly byteLength: number;
  /**
   * Record `index` through this array's one reusable cursor: allocates nothing, and the record
   * returned by the previous call now shows the new index.
   */
  at(index: number): StructRecord<F>;
  /** Record `index` as a new, independent view. */
  get(index: number): StructRecord<F>;
}

/** Atomic operations on one `.atomic()` field, applied to any record of its layout. */
export interface AtomicField<TValue extends number | bigint, TRecord> {
  /** The field name. */
  readonly name: string;
  /** The field's offset in its struct. */
  readonly offset: number;
  load(record: TRecord): TValue;
  /** Stores `value`; returns it. */
  store(record: TRecord, value: TValue): TValue;
  /** Adds `value` (wrapping); returns the previous value. */
  add(record: TRecord, value: TValue): TValue;
  /** Subtracts `value` (wrapping); returns the previous value. */
  sub(record: TRecord, value: TValue): TValue;
  and(record: TRecord, value: TValue): TValue;
  or(record: TRecord, value: TValue): TValue;
  xor(record: TRecord, value: TValue): TValue;
  /** Stores `value`; returns the previous value. */
  exchange(record: TRecord, value: TValue): TValue;
  /** Stores `replacement` if the field equals `expected`; returns the previous value either way. */
  compareExchange(record: TRecord, expected: TValue, replacement: TValue): TValue;
}

/**
 * A struct or union layout: a field type (to nest it) and the factory of its record views.
 */
export interface StructLayout<F extends FieldMap>
  extends FieldType<StructRecord<F>, StructInit<F>, StructPlain<F>, 'view', never> {
  readonly kind: 'struct';
  /** The C tag name. */
  readonly name: string;
  /** `true` for `union()`. */
  readonly isUnion: boolean;
  readonly packed: boolean;
  /** Default byte order of its scalars. */
  readonly endian: Endian;
  /** The declaration it was created from. */
  readonly declaration: F;
  /** Every field's computed position, in declaration order. */
  readonly fields: readonly FieldLayout[];
  /** The largest atomic field size inside (nested structs included), or 0. */
  readonly atomicAlignment: number;
  /** The layout of one field (a `TypeError` for an unknown name). */
  field(name: keyof F & string): FieldLayout;
  /** A view of one record at `byteOffset` in `source`. */
  view(source: StructSource, byteOffset?: number): StructRecord<F>;
  /** A view of consecutive records in `source`. */
  array(source: StructSource, options?: StructArrayOptions): StructArray<F>;
  /** A record over a new zero-filled `ArrayBuffer` of `size` bytes, with `values` assigned. */
  create(values?: StructInit<F>): StructRecord<F>;
  /** The atomic operations of field `name`. */
  atomic<K extends AtomicFieldName<F>>(name: K): AtomicField<AtomicValueOf<F[K]>, StructRecord<F>>;
}

/** Value type of atomic operations on a field type. */
export type AtomicValueOf<T> = FieldValueOf<T> extends number | bigint ? FieldValueOf<T> : never;
