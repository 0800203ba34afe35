// What a TypeScript user writes (ES modules): a `using` mapping, a struct over it, error codes.
import { isMmapError, map, type MmapErrorCode } from 'mmapkit';
import { float64, isStructError, string, struct, uint32, type StructErrorCode } from '@mmapkit/struct';

const Header = struct('Header', { magic: uint32, count: uint32, scale: float64, label: string(16) });

/** The header of a data file, or the code of the error that stopped reading it. */
export function readHeader(path: string): { count: number; label: string } | MmapErrorCode | StructErrorCode {
  try {
    using mapping = map(path, { length: Header.size });
    const header = Header.view(mapping.bytes);
    return { count: header.count, label: header.label };
  } catch (error) {
    if (isMmapError(error)) return error.code;
    if (isStructError(error)) return error.code;
    throw error;
  }
}

/** Codes are a closed union: a typo does not compile. */
export const closed: MmapErrorCode = 'ERR_MMAP_CLOSED';
