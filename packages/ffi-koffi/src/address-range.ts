import { noteViewReleased } from './released-memory.js';

/**
 * The address range of one mapping, and everything that still keeps it mapped: window
 * buffers JavaScript may still reach, and calls running on koffi's worker threads.
 *
 * Once the mapping has ended (closed or released), the range is unmapped as soon as
 * nothing keeps it, never earlier: unmapping while a buffer is reachable would make it a
 * dangling pointer, and the kernel could hand the addresses to a new mapping.
 */
export class AddressRange {
  readonly address: bigint;
  readonly length: number;
  readonly #unmap: (address: bigint, length: number) => void;
  /** Window buffers created and not yet garbage-collected. */
  #liveBuffers = 0;
  /** Calls in flight on koffi's worker threads. */
  #pendingCalls = 0;
  #ended = false;
  /** Every buffer was detached: the garbage collector no longer needs to be waited for. */
  #buffersDetached = false;
  /** A buffer's memory was moved out of our reach (`transfer()`): never unmap. */
  #keptForever = false;
  #unmapped = false;

  /**
   * @param unmap - gives the range back to the operating system (`munmap` on POSIX); called
   *   at most once
   */
  constructor(unmap: (address: bigint, length: number) => void, address: bigint, length: number) {
    this.#unmap = unmap;
    this.address = address;
    this.length = length;
  }

  /** True once the range has been given back to the operating system. */
  get unmapped(): boolean {
    return this.#unmapped;
  }

  /** Track a window buffer over this range until it is garbage-collected or detached. */
  trackBuffer(buffer: ArrayBuffer): void {
    this.#liveBuffers += 1;
    // The buffer is its own unregister token (held weakly, as the buffer itself).
    bufferFinalizers.register(buffer, this, buffer);
  }

  /**
   * A window buffer was detached by us: it can no longer reach the range, so its finalizer
   * entry goes now instead of waiting for the garbage collector (an entry costs memory
   * until its cleanup runs on a later turn).
   */
  bufferDetached(buffer: ArrayBuffer): void {
    if (bufferFinalizers.unregister(buffer)) this.#liveBuffers -= 1;
    noteViewReleased();
    this.#unmapIfUnused();
  }

  /** Called by the finalizer of a window buffer. */
  bufferCollected(): void {
    this.#liveBuffers -= 1;
    noteViewReleased();
    this.#unmapIfUnused();
  }

  /** Runs `call` on a worker thread while keeping the range mapped until it settles. */
  async whileMapped<T>(call: () => Promise<T>): Promise<T> {
    this.#pendingCalls += 1;
    try {
      return await call();
    } finally {
      this.#pendingCalls -= 1;
      this.#unmapIfUnused();
    }
  }

  /**
   * The mapping has ended: unmap once nothing keeps the range.
   *
   * @param buffersDetached - every window buffer was detached, so none can reach the range
   * @param keepForever - some buffer's memory was moved away by user code: never unmap
   */
  end(buffersDetached: boolean, keepForever: boolean): void {
    this.#ended = true;
    this.#buffersDetached = buffersDetached;
    this.#keptForever = keepForever;
    this.#unmapIfUnused();
  }

  #unmapIfUnused(): void {
    if (!this.#ended || this.#unmapped || this.#keptForever || this.#pendingCalls > 0) return;
    if (!this.#buffersDetached && this.#liveBuffers > 0) return;
    this.#unmapped = true;
    try {
      this.#unmap(this.address, this.length);
    } catch {
      // Runs from finalizers and promise settlements, where nothing could handle it; unmapping
      // a range we mapped fails only if the process is already corrupt.
    }
  }
}

const bufferFinalizers = new FinalizationRegistry<AddressRange>((range) => range.bufferCollected());
