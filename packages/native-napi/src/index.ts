export { backend, liveRegionsForTesting, setExternalBuffersRefusedForTesting } from './instance.js';
export { capabilities } from './backend.js';
