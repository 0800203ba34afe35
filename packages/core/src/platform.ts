import { constants as bufferConstants } from 'node:buffer';
import { readFileSync } from 'node:fs';

/** `AT_PAGESZ` in the ELF auxiliary vector. */
const auxiliaryPageSizeTag = 6n;

function pageSizeFromAuxiliaryVector(): number | undefined {
  try {
    const vector = readFileSync('/proc/self/auxv');
    const entries = new BigUint64Array(vector.buffer, vector.byteOffset, Math.floor(vector.byteLength / 8));
    for (let index = 0; index + 1 < entries.length; index += 2) {
      if (entries[index] === auxiliaryPageSizeTag) return Number(entries[index + 1]);
    }
  } catch {
    // Not Linux, or /proc is not mounted: use the platform's known value below.
  }
  return undefined;
}

function detectPageSize(): number {
  if (process.platform === 'linux') {
    const fromKernel = pageSizeFromAuxiliaryVector();
    if (fromKernel !== undefined) return fromKernel;
  }
  // Apple silicon uses 16 KiB pages; every other platform Node supports defaults to 4 KiB.
  if (process.platform === 'darwin' && process.arch === 'arm64') return 16384;
  return 4096;
}

/**
 * The operating system's page size in bytes (4096 on x86-64 Linux). Read from the
 * kernel's auxiliary vector on Linux; the platform's fixed value elsewhere.
 */
export const pageSize: number = detectPageSize();

/**
 * The alignment that file offsets of a mapping must have: the page size on POSIX,
 * 64 KiB on Windows. `Mapping` aligns offsets to it internally, so users never need to.
 */
export const allocationGranularity: number = process.platform === 'win32' ? 65536 : pageSize;

/**
 * The largest byte length of one `ArrayBuffer`/`Uint8Array` view this runtime supports
 * (`buffer.constants.MAX_LENGTH`: 4 GiB on Node 20, 2^53 - 1 on Node 22+). Derived from
 * the runtime, never from a version string.
 */
export const largestRuntimeView: number = Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER);
