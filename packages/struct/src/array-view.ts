/**
 * Views of array fields: scalar arrays (with bulk typed-array access for numeric elements)
 * and composite arrays (structs, unions, nested arrays) with a reusable cursor.
 */
import type { Endian } from './api.js';
import { checkArrayValues, checkIndex } from './checks.js';
import type {
  ArrayDescriptor,
  Descriptor,
  Positioned,
  RecordInternal,
  ScalarDescriptor,
} from './descriptors.js';
import { StructRangeError, StructTypeError } from './errors.js';
import type { Memory } from './memory.js';
import { scalarAccessor, type ScalarAccessor, type ScalarValue } from './scalar.js';

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

type AnyTypedArray = InstanceType<TypedArrayConstructor>;

/** Whether this machine stores multi-byte numbers little-endian. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The typed array matching a numeric element type, if there is one. */
function typedArrayConstructorOf(descriptor: ScalarDescriptor): TypedArrayConstructor | undefined {
  if (descriptor.kind === 'float') return descriptor.size === 4 ? Float32Array : Float64Array;
  if (descriptor.kind !== 'int') return undefined;
  switch (descriptor.size) {
    case 1:
      return descriptor.signed ? Int8Array : Uint8Array;
    case 2:
      return descriptor.signed ? Int16Array : Uint16Array;
    case 4:
      return descriptor.signed ? Int32Array : Uint32Array;
    default:
      if (descriptor.representation === 'number') return undefined;
      return descriptor.signed ? BigInt64Array : BigUint64Array;
  }
}

/** Anything an array view can be created from: a plain-object form and an assign. */
interface Composite extends Positioned {
  $toPlain(): unknown;
  $assignPlain(values: unknown): void;
}

/** A live view of an array of scalars. */
export class ScalarArrayView implements Composite {
  $o = 0;

  constructor(
    readonly $m: Memory,
    readonly length: number,
    private readonly $stride: number,
    private readonly $accessor: ScalarAccessor,
    private readonly $typedArray: TypedArrayConstructor | undefined,
    private readonly $littleEndian: boolean,
    private readonly $path: string,
  ) {}

  get(index: number): ScalarValue {
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    return this.$accessor.read(this.$m, this.$o + index * this.$stride);
  }

  set(index: number, value: ScalarValue): void {
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    this.$accessor.write(this.$m, this.$o + index * this.$stride, value);
  }

  assign(values: ArrayLike<ScalarValue>): void {
    checkArrayValues(values, this.length, this.$path);
    if (this.canViewAsTypedArray && values.length === this.length) {
      (this.asTypedArray() as { set(source: ArrayLike<ScalarValue>): void }).set(values);
      return;
    }
    for (let index = 0; index < values.length; index++) {
      this.$accessor.write(this.$m, this.$o + index * this.$stride, values[index] as ScalarValue);
    }
  }

  toArray(): ScalarValue[] {
    const result: ScalarValue[] = new Array<ScalarValue>(this.length);
    for (let index = 0; index < this.length; index++) {
      result[index] = this.$accessor.read(this.$m, this.$o + index * this.$stride);
    }
    return result;
  }

  *[Symbol.iterator](): IterableIterator<ScalarValue> {
    for (let index = 0; index < this.length; index++) {
      yield this.$accessor.read(this.$m, this.$o + index * this.$stride);
    }
  }

  get canViewAsTypedArray(): boolean {
    return (
      this.$typedArray !== undefined &&
      this.$littleEndian === HOST_LITTLE_ENDIAN &&
      (this.$m.byteOffset + this.$o) % this.$stride === 0
    );
  }

  asTypedArray(): AnyTypedArray {
    const constructor = this.$typedArray;
    if (constructor === undefined) {
      throw new StructTypeError('ERR_STRUCT_NO_TYPED_ARRAY', `${this.$path} has no typed-array form`);
    }
    if (!this.canViewAsTypedArray) {
      throw new StructRangeError(
        'ERR_STRUCT_TYPED_ARRAY_NEEDS_COPY',
        `${this.$path} cannot be viewed as a ${constructor.name} without copying: it is ${
          this.$littleEndian === HOST_LITTLE_ENDIAN ? `at byte address ${this.$m.byteOffset + this.$o}, not a multiple of ${this.$stride}` : 'not in the host byte order'
        }; use toTypedArray() for a copy`,
      );
    }
    this.$m.checkRange(this.$o, this.length * this.$stride, this.$path, this.$path);
    // A SharedArrayBuffer is accepted by every typed array constructor; the DOM typings only name ArrayBuffer.
    return new constructor(this.$m.buffer as ArrayBuffer, this.$m.byteOffset + this.$o, this.length);
  }

  toTypedArray(): AnyTypedArray {
    const constructor = this.$typedArray;
    if (constructor === undefined) {
      throw new StructTypeError('ERR_STRUCT_NO_TYPED_ARRAY', `${this.$path} has no typed-array form`);
    }
    if (this.canViewAsTypedArray) return this.asTypedArray().slice();
    const result = new constructor(this.length);
    const target = result as unknown as { [index: number]: ScalarValue };
    for (let index = 0; index < this.length; index++) {
      target[index] = this.$accessor.read(this.$m, this.$o + index * this.$stride);
    }
    return result;
  }

  $toPlain(): unknown {
    return this.toArray();
  }

  $assignPlain(values: unknown): void {
    this.assign(values as ArrayLike<ScalarValue>);
  }
}

/** A live view of an array of structs, unions or arrays. */
export class CompositeArrayView implements Composite {
  $o = 0;
  private $cursor: Composite | null = null;

  constructor(
    readonly $m: Memory,
    readonly length: number,
    private readonly $stride: number,
    private readonly $create: (memory: Memory) => Composite,
    private readonly $path: string,
  ) {}

  at(index: number): Composite {
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    const cursor = (this.$cursor ??= this.$create(this.$m));
    cursor.$o = this.$o + index * this.$stride;
    return cursor;
  }

  get(index: number): Composite {
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    const element = this.$create(this.$m);
    element.$o = this.$o + index * this.$stride;
    return element;
  }

  *[Symbol.iterator](): IterableIterator<Composite> {
    for (let index = 0; index < this.length; index++) yield this.get(index);
  }

  $toPlain(): unknown {
    const result: unknown[] = [];
    for (let index = 0; index < this.length; index++) result.push(this.get(index).$toPlain());
    return result;
  }

  $assignPlain(values: unknown): void {
    checkArrayValues(values, this.length, this.$path);
    for (let index = 0; index < values.length; index++) this.get(index).$assignPlain(values[index]);
  }
}

/** Adapts a record to the `Composite` shape that arrays of structs need. */
function recordComposite(record: RecordInternal): Composite {
  return record as unknown as Composite;
}

/**
 * A factory of views for an array field, given where the array sits: call it with a memory,
 * then move the view with `$o`.
 */
export function arrayViewFactory(
  descriptor: ArrayDescriptor,
  structEndian: Endian,
  path: string,
): (memory: Memory) => Composite {
  const element: Descriptor = descriptor.element;
  const { length } = descriptor;
  const stride = element.size;
  switch (element.kind) {
    case 'struct': {
      const recordClass = element.recordClass;
      return (memory) =>
        new CompositeArrayView(memory, length, stride, (inner) => recordComposite(new recordClass(inner, 0)), path);
    }
    case 'array': {
      const inner = arrayViewFactory(element, structEndian, `${path}[]`);
      return (memory) => new CompositeArrayView(memory, length, stride, inner, path);
    }
    case 'int':
    case 'float':
    case 'bool':
    case 'string':
    case 'enum': {
      const endian = element.kind === 'bool' || element.kind === 'string' ? structEndian : (element.byteOrder ?? structEndian);
      const accessor = scalarAccessor(element, endian, `${path}[]`);
      const typedArray = typedArrayConstructorOf(element);
      const littleEndian = endian === 'little';
      return (memory) => new ScalarArrayView(memory, length, stride, accessor, typedArray, littleEndian, path);
    }
    default:
      throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `${path}: a ${element.kind} type cannot be an array element`);
  }
}
