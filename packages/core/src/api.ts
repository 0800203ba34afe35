/**
 * The types of the mmapkit contract. Values and behaviour live in the other modules of
 * this package; this file only says what things are.
 *
 * @packageDocumentation
 */

/**
 * What a mapping's pages may be used for.
 *
 * | value | POSIX (`mmap`/`mprotect`) | Windows (`VirtualProtect`) |
 * | --- | --- | --- |
 * | `'none'` | `PROT_NONE` | `PAGE_NOACCESS` |
 * | `'read'` | `PROT_READ` | `PAGE_READONLY` |
 * | `'read-write'` | `PROT_READ \| PROT_WRITE` | `PAGE_READWRITE` (`PAGE_WRITECOPY` when private) |
 *
 * Executable protections are deliberately not part of this type: see
 * {@link UncheckedProtection}.
 */
export type Protection = 'none' | 'read' | 'read-write';

/**
 * Protections that make mapped bytes executable. They are only accepted by
 * `Mapping.unsafeProtect()`, whose name says that the caller takes responsibility.
 *
 * | value | POSIX | Windows |
 * | --- | --- | --- |
 * | `'read-exec'` | `PROT_READ \| PROT_EXEC` | `PAGE_EXECUTE_READ` |
 * | `'read-write-exec'` | `PROT_READ \| PROT_WRITE \| PROT_EXEC` | `PAGE_EXECUTE_READWRITE` |
 */
export type UncheckedProtection = 'read-exec' | 'read-write-exec';

/**
 * Whether writes are shared with the file and other processes.
 *
 * - `'shared'` — `MAP_SHARED` / `FILE_MAP_WRITE`: writes reach the file (durably after
 *   `sync()`) and every process that maps it.
 * - `'private'` — `MAP_PRIVATE` / `FILE_MAP_COPY`: copy-on-write; writes are never seen by
 *   other processes and never reach the file.
 */
export type Sharing = 'shared' | 'private';

/**
 * Access-pattern advice that never changes a mapping's contents (`madvise`).
 *
 * | value | Linux | macOS | Windows |
 * | --- | --- | --- | --- |
 * | `'normal'` | `MADV_NORMAL` | `MADV_NORMAL` | no-op |
 * | `'random'` | `MADV_RANDOM` | `MADV_RANDOM` | unsupported |
 * | `'sequential'` | `MADV_SEQUENTIAL` | `MADV_SEQUENTIAL` | unsupported |
 * | `'willneed'` | `MADV_WILLNEED` | `MADV_WILLNEED` | `PrefetchVirtualMemory` |
 * | `'hugepage'` | `MADV_HUGEPAGE` | unsupported | unsupported |
 * | `'nohugepage'` | `MADV_NOHUGEPAGE` | unsupported | unsupported |
 * | `'dontfork'` | `MADV_DONTFORK` | unsupported | unsupported |
 * | `'dofork'` | `MADV_DOFORK` | unsupported | unsupported |
 * | `'dontdump'` | `MADV_DONTDUMP` | unsupported | unsupported |
 * | `'dodump'` | `MADV_DODUMP` | unsupported | unsupported |
 * | `'populate-read'` | `MADV_POPULATE_READ` (Linux 5.14+) | unsupported | unsupported |
 * | `'populate-write'` | `MADV_POPULATE_WRITE` (Linux 5.14+) | unsupported | unsupported |
 * | `'cold'` | `MADV_COLD` (Linux 5.4+) | unsupported | unsupported |
 * | `'pageout'` | `MADV_PAGEOUT` (Linux 5.4+) | unsupported | unsupported |
 *
 * Which values a backend accepts is declared in `Capabilities.advice`; any other value
 * throws `ERR_MMAP_UNSUPPORTED`.
 */
export type Advice =
  | 'normal'
  | 'random'
  | 'sequential'
  | 'willneed'
  | 'hugepage'
  | 'nohugepage'
  | 'dontfork'
  | 'dofork'
  | 'dontdump'
  | 'dodump'
  | 'populate-read'
  | 'populate-write'
  | 'cold'
  | 'pageout';

/**
 * Advice that may discard a mapping's contents. Only accepted by `Mapping.unsafeAdvise()`.
 *
 * | value | Linux | effect |
 * | --- | --- | --- |
 * | `'dontneed'` | `MADV_DONTNEED` | private pages are dropped: the next read sees the file again (or zeros for anonymous memory) |
 * | `'free'` | `MADV_FREE` (Linux 4.5+, private anonymous only) | the kernel may drop the pages lazily |
 * | `'remove'` | `MADV_REMOVE` (shared, tmpfs/shmem and some file systems) | punches a hole: the bytes become zeros in the file |
 */
export type UncheckedAdvice = 'dontneed' | 'free' | 'remove';

/** A byte range of a mapping, relative to the mapping's first byte. */
export interface ByteRange {
  /**
   * First byte of the range.
   * @defaultValue `0`
   */
  offset?: number;
  /**
   * Number of bytes.
   * @defaultValue to the end of the mapping
   */
  length?: number;
}

/** Options shared by file-backed and anonymous mappings. */
export interface CommonMapOptions {
  /**
   * Page protection of the new mapping.
   * @defaultValue `'read'` for files, `'read-write'` for anonymous memory
   */
  protection?: Protection;
  /**
   * Whether writes are shared (`MAP_SHARED`) or private copy-on-write (`MAP_PRIVATE`).
   * @defaultValue `'shared'` for files, `'private'` for anonymous memory
   */
  sharing?: Sharing;
  /**
   * Fault every page in when mapping (`MAP_POPULATE`). Needs `Capabilities.populate`.
   * @defaultValue `false`
   */
  populate?: boolean;
  /**
   * Do not reserve swap space (`MAP_NORESERVE`). Needs `Capabilities.noReserve`.
   * @defaultValue `false`
   */
  noReserve?: boolean;
  /**
   * Back the mapping with huge pages (`MAP_HUGETLB`). Needs `Capabilities.hugePages` and
   * huge pages reserved by the system administrator; fails with the kernel's error otherwise.
   * @defaultValue `false`
   */
  hugePages?: boolean;
  /**
   * Lock the pages in memory once mapped (`mlock`). Needs `Capabilities.lock`.
   * @defaultValue `false`
   */
  lock?: boolean;
  /**
   * Guard the mapping against SIGBUS/SIGSEGV (`Capabilities.faultGuard`): when the file is
   * truncated under it, or code writes to a read-only page or touches a `'none'` page, the
   * page is repaired harmlessly instead of the process being killed, and the next call on
   * the mapping throws (`ERR_MMAP_TRUNCATED`, `ERR_MMAP_READONLY_WRITE`,
   * `ERR_MMAP_ACCESS_REVOKED`). `true` on a backend without the capability throws
   * `ERR_MMAP_UNSUPPORTED`.
   * @defaultValue `backend.capabilities.faultGuard`
   */
  faultGuard?: boolean;
}

/** Options of a file-backed mapping: give exactly one of `path` and `fd`. */
export interface FileMapOptions extends CommonMapOptions {
  /** The file to map, by path. */
  path?: string | URL;
  /**
   * The file to map, by an open file descriptor. The caller keeps ownership: mmapkit
   * never closes it. Backends whose `Capabilities.retainsFileDescriptor` is `true` use it
   * until the mapping is closed, so keep it open that long.
   */
  fd?: number;
  /**
   * Byte offset in the file where the mapping starts. Any value is accepted: the mapping is
   * aligned to the allocation granularity internally and `view()` starts exactly here.
   * @defaultValue `0`
   */
  offset?: number;
  /**
   * Number of bytes to map.
   * @defaultValue from `offset` to the end of the file
   */
  length?: number;
  /**
   * Create the file if it does not exist (mode `0o600`, before the umask). Needs
   * `protection: 'read-write'`; never truncates an existing file.
   * @defaultValue `false`
   */
  create?: boolean;
  /**
   * Extend a file shorter than `offset + length` to that size (a sparse extension, never a
   * truncation). Needs `protection: 'read-write'` and `sharing: 'shared'`.
   * @defaultValue `false`
   */
  grow?: boolean;
}

/** Options of an anonymous (not file-backed) mapping. */
export interface AnonymousMapOptions extends CommonMapOptions {
  /** Size of the mapping in bytes; zero-filled. */
  length: number;
}

/** The options of any mapping: a file (`FileMapOptions`) or anonymous memory (`AnonymousMapOptions`). */
export type MapOptions = FileMapOptions | AnonymousMapOptions;

/** How `sync()` flushes. */
export interface SyncOptions extends ByteRange {
  /**
   * Only schedule the write-back (`MS_ASYNC`) instead of waiting for it (`MS_SYNC`).
   * @defaultValue `false`
   */
  async?: boolean;
  /**
   * Also invalidate other cached copies of the range (`MS_INVALIDATE`).
   * @defaultValue `false`
   */
  invalidate?: boolean;
}

/** What a backend can do. Declared once by each backend; read by users and the test suite. */
export interface Capabilities {
  /** Views are the mapped memory itself (no copy between the file cache and JavaScript). */
  readonly zeroCopy: boolean;
  /** A write is visible to another process mapping the same file at once, without `sync()`/`refresh()`. */
  readonly coherentVisibility: boolean;
  /** `Atomics` on a shared mapping are atomic across processes. */
  readonly crossProcessAtomics: boolean;
  /** Page protection is enforced by the hardware (a write to a read-only page faults). */
  readonly enforcedProtection: boolean;
  /** `private` (copy-on-write) mappings are supported. */
  readonly privateMappings: boolean;
  /** Every `Advice` and `UncheckedAdvice` value `advise()`/`unsafeAdvise()` accept. */
  readonly advice: readonly (Advice | UncheckedAdvice)[];
  /** Protections `protect()` accepts (`unsafeProtect()` accepts the executable ones when listed). */
  readonly protections: readonly (Protection | UncheckedProtection)[];
  /** `residency()` reports which pages are resident in memory. */
  readonly residency: boolean;
  /** `lock()`/`unlock()` pin pages in memory. */
  readonly lock: boolean;
  /** The `populate` map option. */
  readonly populate: boolean;
  /** The `noReserve` map option. */
  readonly noReserve: boolean;
  /** The `hugePages` map option. */
  readonly hugePages: boolean;
  /** `sync({ invalidate: true })` is honoured. */
  readonly syncInvalidate: boolean;
  /** Anonymous shared memory that can be handed to a child process as a file descriptor. */
  readonly anonymousSharedMemory: boolean;
  /** Named shared memory (`shm_open`) that outlives its processes until unlinked. */
  readonly namedSharedMemory: boolean;
  /** After `close()`, views handed out before have length 0. */
  readonly detachOnClose: boolean;
  /**
   * What a view handed out before `close()` shows afterwards, when it is not detached:
   * `'detached'` (length 0), `'zeros'` (reads give 0, writes go nowhere), or `'copy'`
   * (a private copy of the last contents; writes go nowhere).
   */
  readonly staleViews: 'detached' | 'zeros' | 'copy';
  /** The backend keeps the file descriptor open until the mapping is closed. */
  readonly retainsFileDescriptor: boolean;
  /** A guard turns SIGBUS/SIGSEGV on mapped memory into errors instead of a crash. */
  readonly faultGuard: boolean;
  /**
   * A file truncated below the mapped range by another process is reported with
   * `ERR_MMAP_TRUNCATED` (the mapping is then poisoned: every call but `close()` throws it)
   * instead of ending the process or going unnoticed. The native backend learns it from its
   * fault guard at the first access past the new end (with `faultGuard` on, its default);
   * the fs backend at `sync()` and at any read from the file that reaches past the new end.
   * Either way no call writes the truncated range back. Where this is `false` an access past
   * the new end ends the process with SIGBUS.
   */
  readonly detectsTruncation: boolean;
  /** Largest byte length of one view (one `ArrayBuffer` window). */
  readonly largestView: number;
}

/** The exact, already-validated request a backend receives from `Mapping`. */
export interface MapRequest {
  /** Open file descriptor, or `undefined` for anonymous memory. */
  readonly fd: number | undefined;
  /**
   * Whether the descriptor was opened by mmapkit. When `map()` returns, a backend whose
   * `capabilities.retainsFileDescriptor` is true takes it over and closes it when the
   * mapping is unmapped or released; otherwise the caller closes it at once. When `map()`
   * throws, the caller closes it: the backend must not.
   */
  readonly ownsFd: boolean;
  /** The path when the file was given by path (for error messages). */
  readonly path: string | undefined;
  /** File offset, a multiple of the allocation granularity. */
  readonly offset: number;
  /** Bytes to map, > 0. Covers the alignment gap before the user's first byte. */
  readonly length: number;
  readonly protection: Protection;
  readonly sharing: Sharing;
  readonly populate: boolean;
  readonly noReserve: boolean;
  readonly hugePages: boolean;
  /** Guard the mapping's pages (only `true` when `capabilities.faultGuard`). */
  readonly faultGuard: boolean;
}

/**
 * What the fault guard repaired:
 * - `'truncated'` — an access past the end of a file truncated under the mapping (SIGBUS);
 *   the tail past the new end now reads as zeros and writes there go nowhere.
 * - `'read-only-write'` — a write to a read-only page (SIGSEGV); the page became a private
 *   copy, so the write never reached the file.
 * - `'access-revoked'` — an access to a page with protection `'none'` (or unmapped behind
 *   mmapkit's back); it became a zero page.
 * - `'io-error'` — the kernel could not supply a page inside the file (an I/O error, or no
 *   space for a page of a sparse file); it became a zero page.
 */
export type FaultType = 'truncated' | 'read-only-write' | 'access-revoked' | 'io-error';

/** One fault the guard repaired. */
export interface FaultEvent {
  readonly type: FaultType;
  /**
   * Byte offset of the faulting access: relative to the region given to the backend in
   * `BackendMapping.faults()`, relative to the mapping's first byte in `Mapping.faults()`.
   */
  readonly offset: number;
  /** When it happened, in milliseconds since the epoch (like `Date.now()`). */
  readonly time: number;
}

/** A buffer and where a requested byte sits in it. */
export interface WindowSlice {
  readonly buffer: ArrayBuffer;
  /** Byte offset in `buffer` of the requested region offset. */
  readonly byteOffset: number;
}

/**
 * One live mapping inside a backend. Every argument has been checked by `Mapping`:
 * offsets are relative to the mapped region's first byte, `offset` is page-aligned
 * unless stated, `length > 0`, and `offset + length` is inside the region. Backends never
 * re-validate.
 */
export interface BackendMapping {
  /**
   * A buffer covering region bytes `[offset, offset + length)`; `length` is at most
   * `Capabilities.largestView`. `offset` is any byte offset (not aligned). Never two
   * buffers with the same start address.
   */
  window(offset: number, length: number): WindowSlice;
  sync(offset: number, length: number, asynchronous: boolean, invalidate: boolean): void;
  syncAsync(offset: number, length: number): Promise<void>;
  refresh(offset: number, length: number): void;
  advise(offset: number, length: number, advice: Advice | UncheckedAdvice): void;
  protect(offset: number, length: number, protection: Protection | UncheckedProtection): void;
  /** One byte per page of the range: 1 if resident, 0 if not. */
  residency(offset: number, length: number): Uint8Array;
  lock(offset: number, length: number): void;
  unlock(offset: number, length: number): void;
  prefetch(offset: number, length: number): Promise<void>;
  /**
   * Unmap now. Called at most once, by `close()`. Every window handed out must be made
   * harmless as `Capabilities.staleViews` says. Must not throw for a mapping in a sane
   * state; an OS error is reported as `MmapError`.
   */
  unmap(): void;
  /**
   * Writes to the file what a shared mapping changed and the file does not hold yet (a
   * backend whose memory is not the page cache: the fs backend). Called by `close()` before
   * anything else; when it throws, `close()` rethrows and the mapping stays open, so the
   * data stays readable and `close()` can be called again. Backends whose writes reach the
   * file by themselves do not implement it.
   */
  writeBack?(): void;
  /**
   * True when the backend frees the mapping by itself once this object and every window
   * handed out are unreachable (for example through the finalizers of native objects).
   * `Mapping` then registers no finalizer of its own and never calls `release()`, which
   * saves a `FinalizationRegistry` entry per mapping.
   */
  readonly releasedWhenCollected?: boolean;
  /**
   * The faults the guard repaired on this mapping so far, oldest first (a backend may keep
   * only the first few), or `undefined` when there were none. Only backends whose
   * `capabilities.faultGuard` or `capabilities.detectsTruncation` is true implement it; `Mapping` calls it at the start of every
   * method, so the no-fault answer must be cheap.
   */
  faults?(): readonly FaultEvent[] | undefined;
  /**
   * The `Mapping` that owned this was garbage-collected without `close()`. Free the
   * mapping once no window handed out is reachable any more (never earlier: a view may
   * outlive the `Mapping`). Runs inside a finalizer: must not throw.
   */
  release(): void;
}

/** Flags of `Backend.openNamedSharedMemory()`. */
export interface NamedSharedMemoryFlags {
  /** Create it if missing. */
  readonly create: boolean;
  /** Fail with `EEXIST` if it already exists (with `create`). */
  readonly exclusive: boolean;
  /** Open for reading and writing (else read-only). */
  readonly readWrite: boolean;
}

/**
 * A backend: the small, platform-specific part of mmapkit. Every method receives exact,
 * already-validated values from `Mapping` and the front door.
 */
export interface Backend {
  /** Short stable name, e.g. `'native-napi'`. */
  readonly name: string;
  /**
   * A module specifier whose `backend` export is this backend, so another process or
   * worker can load the same backend (`import(moduleSpecifier)`).
   */
  readonly moduleSpecifier: string;
  readonly capabilities: Capabilities;
  /** The operating system's page size as the backend sees it. */
  readonly pageSize: number;
  /** Alignment of file offsets for mapping (page size; 64 KiB on Windows). */
  readonly allocationGranularity: number;
  /** Map a file or anonymous memory. */
  map(request: MapRequest): BackendMapping;
  /**
   * Create anonymous shared memory of `length` bytes and return its file descriptor
   * (`memfd_create` on Linux). The caller owns the descriptor.
   * Only called when `capabilities.anonymousSharedMemory`.
   */
  createAnonymousSharedMemory(name: string, length: number): number;
  /** `shm_open(name)`; returns a file descriptor the caller owns. `name` starts with `/`. */
  openNamedSharedMemory(name: string, flags: NamedSharedMemoryFlags, mode: number): number;
  /** `shm_unlink(name)`. */
  unlinkNamedSharedMemory(name: string): void;
  /**
   * A quick self-test run by `selectBackend()` before choosing this backend (for example:
   * map and unmap one anonymous page). Throws `MmapError` with a reason when it cannot
   * work here (`ERR_MMAP_EXTERNAL_BUFFERS_REFUSED` in a V8 memory cage).
   */
  probe(): void;
}
