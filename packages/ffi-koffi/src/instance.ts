import { createBackend, type CreatedBackend } from './backend.js';

/**
 * The one backend of this module, created at import (throws `ERR_MMAP_BACKEND_UNAVAILABLE`
 * with the reason when koffi cannot load here).
 */
export const created: CreatedBackend = createBackend();
