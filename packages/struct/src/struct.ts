/**
 * `struct()` and `union()`: declarations become layouts, layouts make record views.
 */
import type {
  Endian,
  FieldMap,
  StructArrayOptions,
  StructLayout,
  StructOptions,
  StructSource,
} from './api.js';
import { AtomicFieldImpl } from './atomics.js';
import { generateRecordClass } from './codegen.js';
import { StructArrayImpl } from './cursor.js';
import { checkEndian, checkIdentifier, checkOffset, checkOptionsObject, checkPowerOfTwo, describeValue } from './checks.js';
import {
  layoutMarker,
  type LayoutDescriptor,
  type RecordClass,
  type RecordInternal,
  type ResolvedField,
} from './descriptors.js';
import { StructRangeError, StructTypeError } from './errors.js';
import { computeLayout } from './layout.js';
import { memoryOf, type Memory } from './memory.js';

const OPTION_NAMES = new Set(['packed', 'align', 'endian']);

/** A field view that can assign from and copy to plain values. */
interface PlainConvertible {
  $toPlain(): unknown;
  $assignPlain(values: unknown): void;
}

class StructLayoutImpl implements LayoutDescriptor {
  readonly [layoutMarker] = true as const;
  readonly kind = 'struct' as const;
  readonly size: number;
  readonly alignment: number;
  readonly fields: readonly ResolvedField[];
  readonly atomicAlignment: number;
  readonly recordClass: RecordClass;
  private readonly $fieldsByName: ReadonlyMap<string, ResolvedField>;
  private readonly $atomicFields = new Map<string, AtomicFieldImpl>();
  private readonly $specialize: (memory: Memory) => RecordClass;

  constructor(
    readonly name: string,
    readonly declaration: FieldMap,
    readonly isUnion: boolean,
    readonly packed: boolean,
    readonly requestedAlignment: number | undefined,
    readonly endian: Endian,
  ) {
    const computed = computeLayout({ name, declaration, isUnion, packed, requestedAlignment, endian });
    this.fields = Object.freeze(computed.fields.map((field) => Object.freeze(field)));
    this.size = computed.size;
    this.alignment = computed.alignment;
    this.atomicAlignment = computed.atomicAlignment;
    this.$fieldsByName = new Map(this.fields.map((field) => [field.name, field]));
    const classes = generateRecordClass(this);
    this.recordClass = classes.generic;
    installRecordMembers(this.recordClass, this);
    this.$specialize = (memory) => {
      const specialized = classes.specialize(memory);
      installRecordMembers(specialized, this);
      return specialized;
    };
  }

  /** The record class bound to `memory`, created once per memory and layout. */
  arrayRecordClass(memory: Memory): RecordClass {
    return memory.classFor(this, this.$specialize);
  }

  field(name: string): ResolvedField {
    const field = this.$fieldsByName.get(name);
    if (field === undefined) {
      throw new StructTypeError('ERR_STRUCT_UNKNOWN_FIELD', `name must be a field of ${this.name}, got ${describeValue(name)}`);
    }
    return field;
  }

  view(source: StructSource, byteOffset = 0): RecordInternal {
    const memory = memoryOf(source, 'source');
    if (typeof byteOffset !== 'number' || byteOffset < 0 || !Number.isSafeInteger(byteOffset)) {
      checkOffset(byteOffset, 'byteOffset');
    }
    memory.checkRange(byteOffset, this.size, 'source', `${this.name} at byteOffset ${byteOffset}`);
    if (this.atomicAlignment !== 0) this.$checkAtomicAlignment(memory, byteOffset, 'byteOffset');
    return new this.recordClass(memory, byteOffset);
  }

  array(source: StructSource, options: StructArrayOptions = {}): StructArrayImpl {
    const memory = memoryOf(source, 'source');
    checkOptionsObject(options);
    const byteOffset = options.byteOffset ?? 0;
    checkOffset(byteOffset, 'options.byteOffset');
    if (byteOffset > memory.byteLength) {
      throw new StructRangeError(
        'ERR_STRUCT_OUT_OF_BOUNDS',
        `options.byteOffset ${byteOffset} is past the end of source (${memory.byteLength} bytes)`,
      );
    }
    const length = options.length ?? Math.floor((memory.byteLength - byteOffset) / this.size);
    checkOffset(length, 'options.length');
    memory.checkRange(byteOffset, length * this.size, 'source', `${length} records of ${this.name} (${this.size} bytes each) at byteOffset ${byteOffset}`);
    if (this.atomicAlignment !== 0) {
      if (this.size % this.atomicAlignment !== 0) {
        throw new StructRangeError(
          'ERR_STRUCT_MISALIGNED_OFFSET',
          `${this.name} has atomic fields but its size ${this.size} is not a multiple of ${this.atomicAlignment}: records after the first would be misaligned`,
        );
      }
      this.$checkAtomicAlignment(memory, byteOffset, 'options.byteOffset');
    }
    return new StructArrayImpl(this, this.arrayRecordClass(memory), memory, byteOffset, length);
  }

  create(values?: unknown): RecordInternal {
    const record = new this.recordClass(memoryOf(new ArrayBuffer(this.size), 'source'), 0);
    if (values !== undefined) record.$assign(values);
    return record;
  }

  atomic(name: string): AtomicFieldImpl {
    const cached = this.$atomicFields.get(name);
    if (cached !== undefined) return cached;
    const field = this.field(name);
    const descriptor = field.descriptor;
    if (descriptor.kind !== 'int' || !descriptor.isAtomic) {
      throw new StructTypeError('ERR_STRUCT_NOT_ATOMIC', `name must be a field of ${this.name} declared with .atomic(), got ${describeValue(name)}`);
    }
    const handle = new AtomicFieldImpl(this, name, field.offset, descriptor);
    this.$atomicFields.set(name, handle);
    return handle;
  }

  private $checkAtomicAlignment(memory: Memory, byteOffset: number, argumentName: string): void {
    const address = memory.byteOffset + byteOffset;
    if (address % this.atomicAlignment !== 0) {
      throw new StructRangeError(
        'ERR_STRUCT_MISALIGNED_OFFSET',
        `${argumentName}: ${this.name} has atomic fields, so it must start at a byte address that is a multiple of ${this.atomicAlignment} in its buffer, got ${address}`,
      );
    }
  }
}

/** Adds `$layout`, `$assign`, `$toObject` and `toJSON` to a generated record class. */
function installRecordMembers(recordClass: RecordClass, layout: StructLayoutImpl): void {
  const visible = layout.fields.filter((field) => field.descriptor.kind !== 'padding');
  const isComposite = (field: ResolvedField): boolean =>
    field.descriptor.kind === 'struct' || field.descriptor.kind === 'array';
  const byName = new Map(visible.map((field) => [field.name, field]));

  function assign(this: Record<string, unknown>, values: unknown): unknown {
    if (typeof values !== 'object' || values === null) {
      throw new StructTypeError('ERR_STRUCT_INVALID_VALUE', `values must be an object of ${layout.name} fields, got ${describeValue(values)}`);
    }
    for (const [name, value] of Object.entries(values)) {
      const field = byName.get(name);
      if (field === undefined) {
        throw new StructTypeError('ERR_STRUCT_UNKNOWN_FIELD', `values.${name} is not a field of ${layout.name}`);
      }
      if (value === undefined) continue;
      if (isComposite(field)) (this[name] as PlainConvertible).$assignPlain(value);
      else this[name] = value;
    }
    return this;
  }

  function toObject(this: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const field of visible) {
      const value = this[field.name];
      result[field.name] = isComposite(field) ? (value as PlainConvertible).$toPlain() : value;
    }
    return result;
  }

  function toJSON(this: Record<string, unknown>): unknown {
    return bigintsToStrings(toObject.call(this));
  }

  const methods: PropertyDescriptorMap = {
    $layout: { value: layout },
    $assign: { value: assign },
    $assignPlain: { value: assign },
    $toObject: { value: toObject },
    $toPlain: { value: toObject },
    toJSON: { value: toJSON },
  };
  Object.defineProperties(recordClass.prototype, methods);
}

/** Replaces every `bigint` in a plain value by its decimal string. */
function bigintsToStrings(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(bigintsToStrings);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) result[key] = bigintsToStrings(inner);
    return result;
  }
  return value;
}

function readOptions(options: StructOptions | undefined): { packed: boolean; align: number | undefined; endian: Endian } {
  if (options === undefined) return { packed: false, align: undefined, endian: 'little' };
  checkOptionsObject(options);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw new StructTypeError('ERR_STRUCT_INVALID_OPTION', `options.${key} is not an option; the options are packed, align and endian`);
    }
  }
  const packed = options.packed ?? false;
  if (typeof packed !== 'boolean') {
    throw new StructTypeError('ERR_STRUCT_INVALID_OPTION', `options.packed must be a boolean, got ${describeValue(packed)}`);
  }
  if (options.align !== undefined) checkPowerOfTwo(options.align, 'options.align');
  const endian = options.endian ?? 'little';
  checkEndian(endian, 'options.endian');
  return { packed, align: options.align, endian };
}

/**
 * Declares a C struct. Members are laid out in declaration order exactly as gcc does on
 * x86-64 and AArch64 (natural alignment, tail padding, bitfields never straddling their
 * storage unit unless packed). The result is both a layout you can nest and the factory of
 * record views.
 *
 * @param name - the struct tag, a C identifier (used by `toCHeader()` and error messages).
 * @param fields - field names (C identifiers) to field types, in C order.
 * @param options - `packed`, `align`, `endian`.
 * @defaultValue `options`: `{ packed: false, align: undefined, endian: 'little' }`
 * @throws TypeError for a bad name, an unknown option, an unknown field type, an empty
 * declaration, or an atomic field that is big-endian or misaligned; RangeError for an `align`
 * that is not a power of two.
 * @example
 * ```ts
 * const Point = struct('Point', { x: float64, y: float64, id: uint32, hits: uint32.atomic() });
 * const points = Point.array(new SharedArrayBuffer(Point.size * 1000));
 * points.at(3).x = 1.5;
 * Point.atomic('hits').add(points.at(3), 1);
 * ```
 */
export function struct<F extends FieldMap>(name: string, fields: F, options?: StructOptions): StructLayout<F> {
  checkIdentifier(name, 'name');
  const { packed, align, endian } = readOptions(options);
  return new StructLayoutImpl(name, fields, false, packed, align, endian) as unknown as StructLayout<F>;
}

/**
 * Declares a C union: every member at offset 0, size the largest member rounded to the
 * alignment. Records expose every member; writing one changes what the others read.
 *
 * @param name - the union tag, a C identifier.
 * @param fields - member names to field types.
 * @param options - `packed`, `align`, `endian`, as for `struct()`.
 * @defaultValue `options`: `{ packed: false, align: undefined, endian: 'little' }`
 * @throws TypeError / RangeError as `struct()`.
 * @example
 * ```ts
 * const Word = union('Word', { value: uint32, bytes: array(uint8, 4) });
 * const word = Word.create({ value: 0x01020304 });
 * word.bytes.get(0); // 4 on little-endian
 * ```
 */
export function union<F extends FieldMap>(name: string, fields: F, options?: StructOptions): StructLayout<F> {
  checkIdentifier(name, 'name');
  const { packed, align, endian } = readOptions(options);
  return new StructLayoutImpl(name, fields, true, packed, align, endian) as unknown as StructLayout<F>;
}
