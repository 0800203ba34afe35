/**
 * Runtime representation of field types. The public constructors (`int32`, `array()`, ...) in
 * `types.ts` return these objects typed as the public interfaces of `api.ts`.
 */
import type { Endian, FieldLayout, FieldType } from './api.js';
import { checkEndian, describeValue } from './checks.js';
import { StructTypeError } from './errors.js';
import type { Memory } from './memory.js';

/** Anything placed at a movable offset in a `Memory`: records and array views. */
export interface Positioned {
  /** The byte offset in the memory; moved by cursors. */
  $o: number;
}

/** A record instance as the generated class builds it. */
export interface RecordInternal extends Positioned {
  readonly $m: Memory;
  readonly $v: DataView;
  readonly $layout: LayoutDescriptor;
  $assign(values: unknown): unknown;
  $toObject(): unknown;
}

/** The generated class of a layout's records. */
export type RecordClass = new (memory: Memory, offset: number) => RecordInternal;

/** Integer widths and their C names. */
const INTEGER_C_TYPES: Readonly<Record<string, string>> = {
  '1s': 'int8_t',
  '1u': 'uint8_t',
  '2s': 'int16_t',
  '2u': 'uint16_t',
  '4s': 'int32_t',
  '4u': 'uint32_t',
  '8s': 'int64_t',
  '8u': 'uint64_t',
};

export class IntegerDescriptor {
  readonly kind = 'int' as const;
  readonly alignment: number;
  readonly cType: string;

  constructor(
    readonly size: 1 | 2 | 4 | 8,
    readonly signed: boolean,
    readonly byteOrder: Endian | undefined = undefined,
    readonly isAtomic: boolean = false,
    readonly representation: 'number' | 'bigint' = size === 8 ? 'bigint' : 'number',
  ) {
    this.alignment = size;
    this.cType = INTEGER_C_TYPES[`${size}${signed ? 's' : 'u'}`] ?? 'int';
    Object.freeze(this);
  }

  endian(endian: Endian): IntegerDescriptor {
    checkEndian(endian, 'endian');
    return new IntegerDescriptor(this.size, this.signed, endian, this.isAtomic, this.representation);
  }

  atomic(): IntegerDescriptor {
    if (this.size < 4) {
      throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `atomic() needs a 32- or 64-bit integer, not ${this.cType}`);
    }
    return new IntegerDescriptor(this.size, this.signed, this.byteOrder, true, this.representation);
  }

  asNumber(): IntegerDescriptor {
    if (this.size !== 8) {
      throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `asNumber() applies to 64-bit integers, not ${this.cType}`);
    }
    return new IntegerDescriptor(this.size, this.signed, this.byteOrder, this.isAtomic, 'number');
  }
}

export class FloatDescriptor {
  readonly kind = 'float' as const;
  readonly alignment: number;
  readonly cType: 'float' | 'double';

  constructor(
    readonly size: 4 | 8,
    readonly byteOrder: Endian | undefined = undefined,
  ) {
    this.alignment = size;
    this.cType = size === 4 ? 'float' : 'double';
    Object.freeze(this);
  }

  endian(endian: Endian): FloatDescriptor {
    checkEndian(endian, 'endian');
    return new FloatDescriptor(this.size, endian);
  }
}

export class BoolDescriptor {
  readonly kind = 'bool' as const;
  readonly size = 1;
  readonly alignment = 1;
  readonly cType = '_Bool' as const;
  constructor() {
    Object.freeze(this);
  }
}

export class StringDescriptor {
  readonly kind = 'string' as const;
  readonly alignment = 1;
  readonly size: number;
  constructor(readonly length: number) {
    this.size = length;
    Object.freeze(this);
  }
}

export class PaddingDescriptor {
  readonly kind = 'padding' as const;
  readonly alignment = 1;
  constructor(readonly size: number) {
    Object.freeze(this);
  }
}

export class EnumDescriptor {
  readonly kind = 'enum' as const;
  readonly size: number;
  readonly alignment: number;
  readonly byteOrder: Endian | undefined;
  /** The allowed values, for write checks. */
  readonly values: ReadonlySet<number>;

  constructor(
    readonly name: string,
    readonly members: Readonly<Record<string, number>>,
    readonly base: IntegerDescriptor,
  ) {
    this.size = base.size;
    this.alignment = base.alignment;
    this.byteOrder = base.byteOrder;
    this.values = new Set(Object.values(members));
    Object.freeze(this);
  }

  endian(endian: Endian): EnumDescriptor {
    return new EnumDescriptor(this.name, this.members, this.base.endian(endian));
  }
}

export class BitfieldDescriptor {
  readonly kind = 'bits' as const;
  readonly size: number;
  readonly alignment: number;
  constructor(
    readonly base: IntegerDescriptor | BoolDescriptor,
    readonly width: number,
  ) {
    this.size = base.size;
    this.alignment = base.alignment;
    Object.freeze(this);
  }
}

export class ArrayDescriptor {
  readonly kind = 'array' as const;
  readonly size: number;
  readonly alignment: number;
  constructor(
    readonly element: Descriptor,
    readonly length: number,
  ) {
    this.size = element.size * length;
    this.alignment = element.alignment;
    Object.freeze(this);
  }
}

export class AlignedDescriptor {
  readonly kind = 'aligned' as const;
  readonly size: number;
  readonly alignment: number;
  readonly isAtomic: boolean;
  constructor(
    readonly type: Descriptor,
    readonly requestedAlignment: number,
  ) {
    this.size = type.size;
    this.alignment = Math.max(type.alignment, requestedAlignment);
    this.isAtomic = type.kind === 'int' && type.isAtomic;
    Object.freeze(this);
  }
}

/** Marks layout objects, so that `describe()` recognises them without importing their class. */
export const layoutMarker: unique symbol = Symbol.for('@mmapkit/struct.layout');

/** What the rest of the package needs from a layout (implemented in `struct.ts`). */
export interface LayoutDescriptor {
  readonly [layoutMarker]: true;
  readonly kind: 'struct';
  readonly name: string;
  readonly size: number;
  readonly alignment: number;
  readonly isUnion: boolean;
  readonly packed: boolean;
  readonly endian: Endian;
  readonly requestedAlignment: number | undefined;
  readonly fields: readonly ResolvedField[];
  readonly atomicAlignment: number;
  /** The generated record class. */
  readonly recordClass: RecordClass;
}

/** A field with its layout and its descriptor already resolved. */
export interface ResolvedField extends FieldLayout {
  /** The declared type without `aligned()`. */
  readonly descriptor: Descriptor;
  /** The `aligned()` request on this member, if any. */
  readonly requestedAlignment: number | undefined;
}

export type Descriptor =
  | IntegerDescriptor
  | FloatDescriptor
  | BoolDescriptor
  | StringDescriptor
  | PaddingDescriptor
  | EnumDescriptor
  | BitfieldDescriptor
  | ArrayDescriptor
  | AlignedDescriptor
  | LayoutDescriptor;

/** Scalars: what a record property or an array element can hold as a value. */
export type ScalarDescriptor =
  | IntegerDescriptor
  | FloatDescriptor
  | BoolDescriptor
  | StringDescriptor
  | EnumDescriptor;

/** Narrows a public field type to its runtime descriptor, or throws `ERR_STRUCT_INVALID_FIELD_TYPE`. */
export function describe(type: FieldType | undefined, argumentName: string): Descriptor {
  if (
    type instanceof IntegerDescriptor ||
    type instanceof FloatDescriptor ||
    type instanceof BoolDescriptor ||
    type instanceof StringDescriptor ||
    type instanceof PaddingDescriptor ||
    type instanceof EnumDescriptor ||
    type instanceof BitfieldDescriptor ||
    type instanceof ArrayDescriptor ||
    type instanceof AlignedDescriptor
  ) {
    return type;
  }
  if (isLayoutDescriptor(type)) return type;
  throw new StructTypeError(
    'ERR_STRUCT_INVALID_FIELD_TYPE',
    `${argumentName} must be a field type of @mmapkit/struct (int32, array(), a struct layout, ...), got ${describeValue(type)}`,
  );
}

function isLayoutDescriptor(value: unknown): value is LayoutDescriptor {
  return typeof value === 'object' && value !== null && layoutMarker in value;
}
