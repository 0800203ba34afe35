/**
 * `@mmapkit/native-napi/testing`: hooks for tests and benchmarks only (refuse external buffers
 * as Electron does, count live regions, uninstall the fault guard, fault outside any mapping).
 * They live off the public entry so that no application reaches them by accident.
 *
 * @example
 * ```ts
 * import { liveRegionsForTesting } from '@mmapkit/native-napi/testing';
 * expect(liveRegionsForTesting()).toBe(0);
 * ```
 */
export {
  faultOutsideMappingsForTesting,
  liveRegionsForTesting,
  setExternalBuffersRefusedForTesting,
  uninstallFaultGuardForTesting,
} from './instance.js';
