export {
  backend,
  faultOutsideMappingsForTesting,
  liveRegionsForTesting,
  setExternalBuffersRefusedForTesting,
  uninstallFaultGuardForTesting,
} from './instance.js';
export { capabilities } from './backend.js';
