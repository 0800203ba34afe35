/**
 * The memory behind views: one `Memory` per source object (an `ArrayBuffer`, a
 * `SharedArrayBuffer` or a view such as a mapping's `Uint8Array`), holding the `DataView`
 * every record of that source shares and, on demand, the typed arrays `Atomics` needs.
 */
import type { StructSource } from './api.js';
import { describeValue } from './checks.js';
import { StructRangeError, StructTypeError } from './errors.js';

/** The integer typed arrays used for atomic operations. */
export type AtomicArrayKind = 'int32' | 'uint32' | 'int64' | 'uint64';

export class Memory {
  /** The `DataView` over exactly the source's bytes (offset 0 is the source's first byte). */
  readonly view: DataView;
  private bytesCache: Uint8Array | undefined;
  private readonly classes = new Map<object, unknown>();
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

  /**
   * The record class of `owner` bound to this memory, made by `create` on first use. Generic so
   * that this module needs nothing from the descriptors (which depend on it).
   */
  classFor<TClass>(owner: object, create: (memory: Memory) => TClass): TClass {
    const cached = this.classes.get(owner) as TClass | undefined;
    if (cached !== undefined) return cached;
    const recordClass = create(this);
    this.classes.set(owner, recordClass);
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
      throw new StructTypeError(
        'ERR_STRUCT_DETACHED',
        `${argumentName}: the source buffer was detached or shrunk since it was first viewed`,
      );
    }
    if (byteOffset + byteLength > this.byteLength) {
      throw new StructRangeError(
        'ERR_STRUCT_OUT_OF_BOUNDS',
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
 * @throws `ERR_STRUCT_INVALID_SOURCE` if `source` is not an ArrayBuffer, SharedArrayBuffer or
 * ArrayBufferView.
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
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_SOURCE',
      `${argumentName} must be an ArrayBuffer, a SharedArrayBuffer or an ArrayBufferView such as a Uint8Array, got ${describeValue(source)}`,
    );
  }
  memories.set(source, memory);
  return memory;
}
