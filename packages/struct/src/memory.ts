/**
 * The memory behind views: one `Memory` per source object (an `ArrayBuffer`, a
 * `SharedArrayBuffer` or a view such as a mapping's `Uint8Array`), holding the `DataView`
 * every record of that source shares and, on demand, the typed arrays `Atomics` needs.
 */
import type { StructSource } from './api.js';
import { describeValue, type RecordClass } from './descriptors.js';

/** The integer typed arrays used for atomic operations. */
export type AtomicArrayKind = 'int32' | 'uint32' | 'int64' | 'uint64';

export class Memory {
  /** The `DataView` over exactly the source's bytes (offset 0 is the source's first byte). */
  readonly view: DataView;
  private bytesCache: Uint8Array | undefined;
  private readonly classes = new Map<object, RecordClass>();
  private int32Cache: Int32Array | undefined;
  private uint32Cache: Uint32Array | undefined;
  private int64Cache: BigInt64Array | undefined;
  private uint64Cache: BigUint64Array | undefined;

  constructor(
    /** The underlying buffer. */
    readonly buffer: ArrayBufferLike,
    /** Where the source starts in `buffer`. */
    readonly byteOffset: number,
    /** The source's length in bytes. */
    readonly byteLength: number,
  ) {
    this.view = new DataView(buffer, byteOffset, byteLength);
  }

  /** A `Uint8Array` over the source (strings and bulk copies use it). */
  get bytes(): Uint8Array {
    return (this.bytesCache ??= new Uint8Array(this.buffer, this.byteOffset, this.byteLength));
  }

  /** The record class of `owner` bound to this memory, made by `create` on first use. */
  classFor(owner: object, create: (memory: Memory) => RecordClass): RecordClass {
    let recordClass = this.classes.get(owner);
    if (recordClass === undefined) {
      recordClass = create(this);
      this.classes.set(owner, recordClass);
    }
    return recordClass;
  }

  /** Whether the buffer is a `SharedArrayBuffer`. */
  get isShared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.buffer instanceof SharedArrayBuffer;
  }

  /**
   * An integer typed array over the whole underlying buffer from byte 0, so that an absolute
   * byte address divided by the element size is its index (Atomics needs aligned indexes).
   */
  int32(): Int32Array {
    return (this.int32Cache ??= new Int32Array(this.buffer, 0, Math.floor(this.buffer.byteLength / 4)));
  }
  uint32(): Uint32Array {
    return (this.uint32Cache ??= new Uint32Array(this.buffer, 0, Math.floor(this.buffer.byteLength / 4)));
  }
  int64(): BigInt64Array {
    return (this.int64Cache ??= new BigInt64Array(this.buffer, 0, Math.floor(this.buffer.byteLength / 8)));
  }
  uint64(): BigUint64Array {
    return (this.uint64Cache ??= new BigUint64Array(this.buffer, 0, Math.floor(this.buffer.byteLength / 8)));
  }

  /**
   * Throws unless `byteLength` bytes from `byteOffset` lie inside the source, and the source
   * is still attached.
   */
  checkRange(byteOffset: number, byteLength: number, argumentName: string, what: string): void {
    if (this.buffer.byteLength < this.byteOffset + this.byteLength) {
      throw new TypeError(`${argumentName}: the source buffer was detached or shrunk since it was first viewed`);
    }
    if (byteOffset + byteLength > this.byteLength) {
      throw new RangeError(
        `${what} needs bytes ${byteOffset} to ${byteOffset + byteLength} but ${argumentName} holds ${this.byteLength} bytes`,
      );
    }
  }
}

const memories = new WeakMap<object, Memory>();

/**
 * The `Memory` of a source, created on first use and reused after, so that creating a view
 * costs one lookup instead of a new `DataView`.
 *
 * @throws TypeError if `source` is not an ArrayBuffer, SharedArrayBuffer or ArrayBufferView, or
 * is detached.
 */
export function memoryOf(source: StructSource, argumentName: string): Memory {
  const cached = memories.get(source);
  if (cached !== undefined) return cached;
  let memory: Memory;
  if (ArrayBuffer.isView(source)) {
    memory = new Memory(source.buffer, source.byteOffset, source.byteLength);
  } else if (
    source instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer)
  ) {
    memory = new Memory(source, 0, source.byteLength);
  } else {
    throw new TypeError(
      `${argumentName} must be an ArrayBuffer, a SharedArrayBuffer or an ArrayBufferView such as a Uint8Array, got ${describeValue(source)}`,
    );
  }
  memories.set(source, memory);
  return memory;
}

/** Throws a `RangeError` unless `value` is a non-negative safe integer. */
export function checkOffset(value: unknown, argumentName: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${argumentName} must be a non-negative integer, got ${describeValue(value)}`);
  }
}
