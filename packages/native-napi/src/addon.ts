/**
 * Loading the addon and its shape: the one compiled here (`build/Release/mmapkit_native.node`)
 * or else the prebuilt binary shipped for this platform (`prebuilds/<platform>-<arch>/`). When
 * neither loads, importing this package throws `ERR_MMAP_BACKEND_UNAVAILABLE` with the reason,
 * so the front door can fall back to another backend.
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

/** Where the addon can be: scripts/addon-location.cjs, the one place that knows the paths. */
interface AddonLocation {
  readonly builtPath: string;
  readonly installFailurePath: string;
  prebuildPath(): string;
  candidates(): ReadonlyArray<{ readonly kind: AddonOrigin['kind']; readonly path: string }>;
}

/** Which addon file was loaded: the one compiled here (`build`) or the shipped `prebuild`. */
export interface AddonOrigin {
  readonly kind: 'build' | 'prebuild';
  readonly path: string;
}

const requireHere = createRequire(import.meta.url);
/** The package folder: `src/` and `dist/` both sit directly in it. */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const location = requireHere(join(packageRoot, 'scripts', 'addon-location.cjs')) as AddonLocation;
/** Where `scripts/install.cjs` puts the addon when it compiles it. */
export const addonPath = location.builtPath;

const howToBuild =
  'Build it with `npm run build:native -w @mmapkit/native-napi` (needs a C++17 compiler, make, python3 and the headers of this Node).';

function unavailableHere(reason: string, cause?: unknown): MmapError {
  return unavailable('native-napi', reason, cause);
}

/** Why no addon file exists here: the install script's explanation, else the files looked for. */
function missingExplanation(): string {
  if (existsSync(location.installFailurePath)) return readFileSync(location.installFailurePath, 'utf8').trim();
  return `${addonPath} does not exist and there is no prebuilt binary for ${process.platform}-${process.arch} (${location.prebuildPath()}). ${howToBuild}`;
}

function loadFailure(path: string, error: unknown): string {
  return `${path} could not be loaded (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * Loads the addon: the one compiled here (`build/Release`) first, then the prebuilt binary for
 * this platform (`prebuilds/<platform>-<arch>/`).
 *
 * # Errors
 * `ERR_MMAP_BACKEND_UNAVAILABLE` when neither exists (with the install script's
 * explanation) or none can be loaded here (`node --no-addons`, a different platform...).
 */
export function loadAddon(): { addon: NativeAddon; origin: AddonOrigin } {
  const present = location.candidates().filter((candidate) => existsSync(candidate.path));
  if (present.length === 0) throw unavailableHere(missingExplanation());
  const failures: string[] = [];
  let lastError: unknown;
  for (const candidate of present) {
    try {
      return { addon: requireHere(candidate.path) as NativeAddon, origin: candidate };
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_DLOPEN_DISABLED') {
        throw unavailableHere('this Node runs with --no-addons, so no native addon can be loaded.', error);
      }
      failures.push(loadFailure(candidate.path, error));
      lastError = error;
    }
  }
  throw unavailableHere(`${failures.join('; ')}. ${howToBuild}`, lastError);
}

const loaded = loadAddon();
/** The addon, loaded once when this package is imported. */
export const addon: NativeAddon = loaded.addon;
/** Which file `addon` came from. */
export const addonOrigin: AddonOrigin = loaded.origin;
