/**
 * One live native mapping: windows are external ArrayBuffers over the mapped memory (one
 * per window, handed out by core's `WindowSet`), and every other call goes straight to the
 * addon with the exact values `Mapping` checked.
 */
import {
  failureHint,
  protectionBits,
  WindowSet,
  type Advice,
  type BackendMapping,
  type FaultEvent,
  type Protection,
  type UncheckedAdvice,
  type UncheckedProtection,
  type WindowSlice,
} from '@mmapkit/core';
import type { NativeAddon, NativeHandle } from './addon.js';
import { check } from './errors.js';

/** What a `NativeMapping` is made of. */
export interface NativeMappingParts {
  readonly addon: NativeAddon;
  readonly handle: NativeHandle;
  /** Bytes of the mapped region. */
  readonly length: number;
  readonly largestView: number;
  readonly pageSize: number;
  /** The mapped file's path, for error messages. */
  readonly path: string | undefined;
  /** Whether the fault guard watches this region. */
  readonly guarded: boolean;
  /** The environment's fault epoch (see `NativeAddon.faultEpoch`), when available. */
  readonly faultEpoch: Uint32Array | undefined;
}

export class NativeMapping implements BackendMapping {
  /** The handle's External and each window's finalizer hold the region: no front finalizer needed. */
  readonly releasedWhenCollected = true;
  readonly #addon: NativeAddon;
  readonly #handle: NativeHandle;
  readonly #path: string | undefined;
  readonly #windows: WindowSet;
  readonly #guarded: boolean;
  readonly #faultEpoch: Uint32Array | undefined;
  /** The epoch when the addon last said this region had no fault. */
  #quietEpoch: number | undefined;

  constructor(parts: NativeMappingParts) {
    this.#addon = parts.addon;
    this.#handle = parts.handle;
    this.#path = parts.path;
    this.#guarded = parts.guarded;
    this.#faultEpoch = parts.faultEpoch;
    this.#quietEpoch = parts.faultEpoch?.[0];
    this.#windows = new WindowSet(parts.length, parts.largestView, parts.pageSize, (start, length) =>
      check(this.#addon.createWindow(this.#handle, start, length), this.#path),
    );
  }

  /** The faults the guard repaired in this region (offsets from the region's start). */
  faults(): readonly FaultEvent[] | undefined {
    if (!this.#guarded) return undefined;
    // Called at the start of every Mapping method: no addon call unless some region of this
    // environment had a fault since this one was last found quiet.
    const epoch = this.#faultEpoch?.[0];
    if (epoch !== undefined && epoch === this.#quietEpoch) return undefined;
    const faults = this.#addon.faults(this.#handle);
    if (faults === undefined) {
      this.#quietEpoch = epoch;
      return undefined;
    }
    return faults.records.map((record) => ({ type: record.kind, offset: record.offset, time: record.time }));
  }

  window(offset: number, length: number): WindowSlice {
    return this.#windows.window(offset, length);
  }

  sync(offset: number, length: number, asynchronous: boolean, invalidate: boolean): void {
    const { sync, async, invalidate: invalidateFlag } = this.#addon.constants.sync;
    const flags = (asynchronous ? async : sync) | (invalidate ? invalidateFlag : 0);
    check(this.#addon.sync(this.#handle, offset, length, flags), this.#path);
  }

  async syncAsync(offset: number, length: number): Promise<void> {
    check(await this.#addon.syncAsync(this.#handle, offset, length), this.#path);
  }

  /** The page cache is coherent: there is nothing to re-read. */
  refresh(_offset: number, _length: number): void {}

  advise(offset: number, length: number, advice: Advice | UncheckedAdvice): void {
    const value = this.#addon.constants.advice[advice] as number;
    check(this.#addon.advise(this.#handle, offset, length, value), this.#path);
  }

  protect(offset: number, length: number, protection: Protection | UncheckedProtection): void {
    const bits = protectionBits(this.#addon.constants.protection, protection);
    check(this.#addon.protect(this.#handle, offset, length, bits), this.#path);
  }

  residency(offset: number, length: number): Uint8Array {
    return check(this.#addon.residency(this.#handle, offset, length), this.#path);
  }

  lock(offset: number, length: number): void {
    check(this.#addon.lock(this.#handle, offset, length), this.#path, lockHint);
  }

  unlock(offset: number, length: number): void {
    check(this.#addon.unlock(this.#handle, offset, length), this.#path);
  }

  async prefetch(offset: number, length: number): Promise<void> {
    check(await this.#addon.prefetch(this.#handle, offset, length), this.#path);
  }

  /**
   * Detaches every window buffer still attached, then drops the handle's reference: the
   * memory is unmapped now unless a thread-pool job is running on it (then when it ends)
   * or a buffer was moved away with `transfer()` (then when that buffer is collected).
   */
  unmap(): void {
    const buffers = this.#windows.buffers();
    this.#windows.clear();
    check(this.#addon.unmap(this.#handle, buffers), this.#path);
  }

  /** Forget the windows; each unmaps its share when collected, the region with the last one. */
  release(): void {
    this.#windows.clear();
    this.#addon.release(this.#handle);
  }
}

function lockHint(failure: { syscall: string; errno?: string }): string {
  return failureHint(failure.syscall, failure.errno ?? 'EIO');
}
