export type { BufferPoolOptions, BufferPoolStats, PageRange, SharedPoolDescriptor } from './api.js';
export { BufferPool } from './buffer-pool.js';
export { BufferPoolError } from './errors.js';
export type { BufferPoolErrorCode, BufferPoolErrorDetails } from './errors.js';
