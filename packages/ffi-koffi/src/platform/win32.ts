/**
 * Windows (kernel32), from the Windows SDK's `winnt.h`, `memoryapi.h` and `winerror.h`.
 * Windows has no `mmap`: a file or the paging file is turned into a section object
 * (`CreateFileMappingW`) and views of it are mapped (`MapViewOfFile`), so this is not a
 * `PlatformTable` but a table of its own, used by the `win32-*` modules only.
 *
 * Verified on x86-64 under Wine 8.0 (Debian) by `test-windows/`, not on Windows itself.
 */
export const win32 = {
  platform: 'win32',
  verified: false,
  architectures: ['x64', 'arm64'],

  /** `(HANDLE)-1`: the paging file as backing, for `CreateFileMappingW`. */
  INVALID_HANDLE_VALUE: 0xffff_ffff_ffff_ffffn,

  PAGE_NOACCESS: 0x01,
  PAGE_READONLY: 0x02,
  PAGE_READWRITE: 0x04,
  PAGE_WRITECOPY: 0x08,

  FILE_MAP_COPY: 0x0001,
  FILE_MAP_WRITE: 0x0002,
  FILE_MAP_READ: 0x0004,
  /** `SECTION_QUERY`: lets `NtQuerySection` read the size of a section opened by name. */
  SECTION_QUERY: 0x0001,

  MEM_COMMIT: 0x1000,
  MEM_RESERVE: 0x2000,
  MEM_RELEASE: 0x8000,

  DUPLICATE_SAME_ACCESS: 0x2,
  PROCESS_DUP_HANDLE: 0x40,

  /** `SectionBasicInformation`, for `NtQuerySection`. */
  SectionBasicInformation: 0,
} as const;

/**
 * `GetLastError()` codes and the POSIX errno each is reported as, so that a Windows failure
 * carries the same `errno` as the same failure on Linux. Codes not listed are reported as
 * `'UNKNOWN'` (libuv's name for the same case), with the Windows code in the message.
 */
export const windowsErrors: ReadonlyMap<number, readonly [name: string, errno: string]> = new Map([
  [1, ['ERROR_INVALID_FUNCTION', 'EINVAL']],
  [2, ['ERROR_FILE_NOT_FOUND', 'ENOENT']],
  [3, ['ERROR_PATH_NOT_FOUND', 'ENOENT']],
  [5, ['ERROR_ACCESS_DENIED', 'EACCES']],
  [6, ['ERROR_INVALID_HANDLE', 'EBADF']],
  [8, ['ERROR_NOT_ENOUGH_MEMORY', 'ENOMEM']],
  [14, ['ERROR_OUTOFMEMORY', 'ENOMEM']],
  [19, ['ERROR_WRITE_PROTECT', 'EROFS']],
  [32, ['ERROR_SHARING_VIOLATION', 'EBUSY']],
  [33, ['ERROR_LOCK_VIOLATION', 'EBUSY']],
  [50, ['ERROR_NOT_SUPPORTED', 'ENOTSUP']],
  [80, ['ERROR_FILE_EXISTS', 'EEXIST']],
  [87, ['ERROR_INVALID_PARAMETER', 'EINVAL']],
  [112, ['ERROR_DISK_FULL', 'ENOSPC']],
  [123, ['ERROR_INVALID_NAME', 'EINVAL']],
  [161, ['ERROR_BAD_PATHNAME', 'ENOENT']],
  [183, ['ERROR_ALREADY_EXISTS', 'EEXIST']],
  [487, ['ERROR_INVALID_ADDRESS', 'EINVAL']],
  [998, ['ERROR_NOACCESS', 'EFAULT']],
  [1006, ['ERROR_FILE_INVALID', 'ENODEV']],
  [1132, ['ERROR_MAPPED_ALIGNMENT', 'EINVAL']],
  [1224, ['ERROR_USER_MAPPED_FILE', 'EBUSY']],
  [1453, ['ERROR_WORKING_SET_QUOTA', 'EAGAIN']],
  [1455, ['ERROR_COMMITMENT_LIMIT', 'ENOMEM']],
  [1784, ['ERROR_INVALID_USER_BUFFER', 'EFAULT']],
]);
