export type {
  Advice,
  AnonymousMapOptions,
  Backend,
  BackendMapping,
  ByteRange,
  Capabilities,
  CommonMapOptions,
  FaultEvent,
  FaultType,
  FileMapOptions,
  MapOptions,
  MapRequest,
  NamedSharedMemoryFlags,
  Protection,
  Sharing,
  SyncOptions,
  UncheckedAdvice,
  UncheckedProtection,
  WindowSlice,
} from './api.js';
export { advices, protections, sharings, uncheckedAdvices, uncheckedProtections } from './constants.js';
export {
  describe,
  fromNodeError,
  isArgumentError,
  isMmapError,
  MmapError,
  MmapRangeError,
  MmapTypeError,
  systemError,
} from './errors.js';
export type { ArgumentErrorCode, MmapErrorCode, MmapErrorDetails } from './errors.js';
export { closed, detached, externalBuffersRefused, failureHint, outOfRange, unavailable, unsupported, viewTooLarge } from './failures.js';
export type { FailureContext } from './failures.js';
export { Mapping } from './mapping.js';
export type { MappingState, Residency } from './mapping.js';
export { mapAnonymous, mapFile } from './open.js';
export { allocationGranularity, largestRuntimeView, pageSize } from './platform.js';
export { protectionBits } from './protection-bits.js';
export type { ProtectionBitValues } from './protection-bits.js';
export { selectBackend } from './select.js';
export type { BackendCandidate, BackendRejection, BackendSelection } from './select.js';
export { normalizeSharedMemoryName, validateBoolean, validateInteger, validateOneOf, validateOptionsObject } from './validate.js';
export { WindowSet } from './view-windows.js';
