import type { Protection, UncheckedProtection } from './api.js';

/** The values of `PROT_NONE`, `PROT_READ`, `PROT_WRITE` and `PROT_EXEC` on one operating system. */
export interface ProtectionBitValues {
  readonly none: number;
  readonly read: number;
  readonly write: number;
  readonly exec: number;
}

/**
 * The `PROT_*` bits of a protection, for backends that call `mmap`/`mprotect` themselves (the
 * values differ between operating systems, the combination rule does not).
 *
 * @example
 * ```ts
 * protectionBits({ none: 0, read: 1, write: 2, exec: 4 }, 'read-write'); // 3
 * ```
 */
export function protectionBits(bits: ProtectionBitValues, protection: Protection | UncheckedProtection): number {
  switch (protection) {
    case 'none':
      return bits.none;
    case 'read':
      return bits.read;
    case 'read-write':
      return bits.read | bits.write;
    case 'read-exec':
      return bits.read | bits.exec;
    case 'read-write-exec':
      return bits.read | bits.write | bits.exec;
  }
}
