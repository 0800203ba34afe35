import type { Koffi } from './koffi.js';
import type { CLibrary } from './libc.js';
import type { PlatformTable } from './platform/index.js';

/** What every mapping of this backend shares: the bindings and the facts found at load. */
export interface BackendContext {
  readonly koffi: Koffi;
  readonly libc: CLibrary;
  readonly platform: PlatformTable;
  readonly pageSize: number;
  /** Longest window `koffi.view()` is asked for. */
  readonly largestView: number;
  /**
   * `ArrayBuffer.prototype.transfer` exists and detaches a koffi view (Node 22+): `close()`
   * detaches windows instead of leaving zero pages behind them.
   */
  readonly canDetach: boolean;
}
