import type { Protection, UncheckedProtection } from '@mmapkit/core';
import type { PlatformTable } from './platform/index.js';

/** The `PROT_*` bits of a protection. */
export function protectionBits(platform: PlatformTable, protection: Protection | UncheckedProtection): number {
  switch (protection) {
    case 'none':
      return platform.PROT_NONE;
    case 'read':
      return platform.PROT_READ;
    case 'read-write':
      return platform.PROT_READ | platform.PROT_WRITE;
    case 'read-exec':
      return platform.PROT_READ | platform.PROT_EXEC;
    case 'read-write-exec':
      return platform.PROT_READ | platform.PROT_WRITE | platform.PROT_EXEC;
  }
}
