import { advices, largestRuntimeView, uncheckedAdvices, type Advice, type UncheckedAdvice } from '@mmapkit/core';
import { AddressRange } from './address-range.js';
import { koffiViewLimit, type Koffi } from './koffi.js';
import type { CLibrary } from './libc.js';
import type { PlatformTable } from './platform/index.js';
import { inspectViews } from './views.js';

/** What this process and kernel can do, found once at load by trying it on one page. */
export interface RuntimeFacts {
  readonly pageSize: number;
  readonly largestView: number;
  /** `koffi.view()` works (a V8 memory cage, as in Electron, refuses external buffers). */
  readonly externalBuffers: boolean;
  /** Why external buffers are refused, when they are. */
  readonly externalBuffersError: unknown;
  /** `ArrayBuffer.prototype.transfer` exists and detached a koffi view. */
  readonly canDetach: boolean;
  /** Every advice the platform table has and the kernel accepts, in core's order. */
  readonly advice: readonly (Advice | UncheckedAdvice)[];
}


export function inspectRuntime(koffi: Koffi, libc: CLibrary, platform: PlatformTable): RuntimeFacts {
  const pageSize = libc.sysconf(platform._SC_PAGESIZE);
  const largestView = Math.min(largestRuntimeView, koffiViewLimit);
  const address = libc.mmap(null, pageSize, platform.PROT_READ | platform.PROT_WRITE, platform.MAP_PRIVATE | platform.MAP_ANONYMOUS, -1, 0);
  const range = new AddressRange((start, bytes) => libc.munmap(start, bytes), address, pageSize);

  const advice = [...advices, ...uncheckedAdvices].filter((name) => {
    const value = platform.advice[name];
    if (value === undefined) return false;
    if (!platform.kernelDependentAdvice.includes(name)) return true;
    try {
      libc.madvise(address, pageSize, value);
      return true;
    } catch (error) {
      return (error as { errno?: string }).errno !== 'EINVAL';
    }
  });

  const views = inspectViews(koffi, range, pageSize);
  return { pageSize, largestView, ...views, advice };
}
