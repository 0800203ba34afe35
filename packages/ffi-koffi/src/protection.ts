import { protectionBits, type Protection, type UncheckedProtection } from '@mmapkit/core';
import type { PlatformTable } from './platform/index.js';

/** The `PROT_*` bits of a protection on this platform (core's rule, this table's values). */
export function platformProtectionBits(platform: PlatformTable, protection: Protection | UncheckedProtection): number {
  return protectionBits({ none: platform.PROT_NONE, read: platform.PROT_READ, write: platform.PROT_WRITE, exec: platform.PROT_EXEC }, protection);
}
