/**
 * Loading the compiled addon (`build/Release/mmapkit_native.node`) and its shape. When it is
 * missing or cannot be loaded, importing this package throws `ERR_MMAP_BACKEND_UNAVAILABLE`
 * with the reason, so the front door can fall back to another backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable, type MmapError } from '@mmapkit/core';

/** A failed system call, as plain data from the addon (see `errors.ts`). */
export interface NativeFailure {
  /** Symbolic errno, e.g. `'ENOMEM'`; absent for `code` failures. */
  readonly errno?: string;
  /** Set instead of `errno` for non-system failures (`'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED'`). */
  readonly code?: 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED';
  readonly syscall: string;
  readonly message: string;
}

/** An opaque, type-tagged handle to one native mapped region. */
export interface NativeHandle {
  readonly __nativeHandle: unique symbol;
}

/** Numbers of the platform's constants, from the C headers. */
export interface NativeConstants {
  readonly protection: { readonly none: number; readonly read: number; readonly write: number; readonly exec: number };
  readonly map: {
    readonly shared: number;
    readonly private: number;
    readonly anonymous: number;
    readonly populate: number;
    readonly noReserve: number;
    readonly hugeTlb: number;
  };
  readonly sync: { readonly sync: number; readonly async: number; readonly invalidate: number };
  readonly advice: Readonly<Record<string, number>>;
  readonly pageSize: number;
}

/** What `mmapkit_native.node` exports. Every call returns a `NativeFailure` instead of throwing. */
export interface NativeAddon {
  readonly constants: NativeConstants;
  readonly sharedMemoryFlags: { readonly readOnly: number; readonly readWrite: number; readonly create: number; readonly exclusive: number };
  map(fd: number, offset: number, length: number, mappedLength: number, protection: number, flags: number, guarded: boolean): NativeHandle | NativeFailure;
  createWindow(handle: NativeHandle, start: number, length: number): ArrayBuffer | NativeFailure;
  unmap(handle: NativeHandle, buffers: readonly ArrayBuffer[]): undefined | NativeFailure;
  release(handle: NativeHandle): undefined;
  sync(handle: NativeHandle, offset: number, length: number, flags: number): undefined | NativeFailure;
  syncAsync(handle: NativeHandle, offset: number, length: number): Promise<undefined | NativeFailure>;
  prefetch(handle: NativeHandle, offset: number, length: number): Promise<undefined | NativeFailure>;
  advise(handle: NativeHandle, offset: number, length: number, advice: number): undefined | NativeFailure;
  protect(handle: NativeHandle, offset: number, length: number, protection: number): undefined | NativeFailure;
  residency(handle: NativeHandle, offset: number, length: number): Uint8Array | NativeFailure;
  lock(handle: NativeHandle, offset: number, length: number): undefined | NativeFailure;
  unlock(handle: NativeHandle, offset: number, length: number): undefined | NativeFailure;
  createAnonymousSharedMemory(name: string, length: number): number | NativeFailure;
  openNamedSharedMemory(name: string, flags: number, mode: number): number | NativeFailure;
  unlinkNamedSharedMemory(name: string): undefined | NativeFailure;
  setExternalBuffersRefusedForTesting(refused: boolean): undefined;
  liveRegions(): number;
  /**
   * Installs the fault guard's signal handler, or re-installs it when something replaced it.
   * The flags say whether `process` has listeners for SIGSEGV and SIGBUS (libuv's handler).
   */
  guardInstall(segvListener: boolean, busListener: boolean): boolean;
  /** Restores the signal handlers found before the guard (benchmarks and tests). */
  guardUninstallForTesting(): undefined;
  /**
   * A 4-byte buffer over this environment's fault epoch: a Uint32 the guard increments after
   * every fault in one of its regions (`undefined` where external buffers are refused).
   * Call once per environment.
   */
  faultEpoch(): ArrayBuffer | undefined;
  /** The faults the guard repaired in a region, or `undefined` when none. */
  faults(handle: NativeHandle): NativeFaults | undefined;
  /** Touches a PROT_NONE page outside every mapping: the process must die of SIGSEGV. */
  faultOutsideForTesting(): undefined;
}

/** A region's faults as the addon reports them (offsets from the region's start). */
export interface NativeFaults {
  /** Faults counted, including those past the detailed records. */
  readonly total: number;
  readonly records: readonly { readonly kind: 'truncated' | 'read-only-write' | 'access-revoked' | 'io-error'; readonly offset: number; readonly time: number }[];
}

/** The package folder: `src/` and `dist/` both sit directly in it. */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
/** Where `scripts/install.cjs` puts the addon. */
export const addonPath = join(packageRoot, 'build', 'Release', 'mmapkit_native.node');
/** Where `scripts/install.cjs` explains why it could not build the addon. */
const installFailurePath = join(packageRoot, 'build', 'install-failure.txt');

const howToBuild =
  'Build it with `npm run build:native -w @mmapkit/native-napi` (needs a C++17 compiler, make, python3 and the headers of this Node).';

function unavailableHere(reason: string, cause?: unknown): MmapError {
  return unavailable('native-napi', reason, cause);
}

/**
 * Loads the addon.
 *
 * # Errors
 * `ERR_MMAP_BACKEND_UNAVAILABLE` when it was not built (with the install script's
 * explanation) or cannot be loaded here (`node --no-addons`, a different platform...).
 */
export function loadAddon(): NativeAddon {
  if (!existsSync(addonPath)) {
    const explanation = existsSync(installFailurePath) ? readFileSync(installFailurePath, 'utf8').trim() : `${addonPath} does not exist.`;
    throw unavailableHere(`${explanation} ${howToBuild}`);
  }
  try {
    return createRequire(import.meta.url)(addonPath) as NativeAddon;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ERR_DLOPEN_DISABLED'
        ? 'this Node runs with --no-addons, so no native addon can be loaded.'
        : `${addonPath} could not be loaded (${error instanceof Error ? error.message : String(error)}). ${howToBuild}`;
    throw unavailableHere(reason, error);
  }
}

/** The addon, loaded once when this package is imported. */
export const addon: NativeAddon = loadAddon();
