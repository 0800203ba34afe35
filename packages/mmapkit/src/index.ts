export * from '@mmapkit/core';
export { backendNames, backends, chooseBackend, defaultCandidates, loadBackend } from './backends.js';
export type { BackendChoice, BackendName, BackendReport, ChooseBackendOptions } from './backends.js';
export { backendFor, defaultBackend, map, mapAnonymous } from './map.js';
export type { BackendOption, MapAnonymousOptions, MapOptions } from './map.js';
export { SharedMemory } from './shared-memory.js';
export type { CreateNamedSharedMemoryOptions, OpenNamedSharedMemoryOptions, SharedMemoryMapOptions } from './shared-memory.js';
