/**
 * `@mmapkit/fallback-fs`: the pure-`fs` mmapkit backend.
 *
 * @packageDocumentation
 */
export { backend, capabilities } from './backend.js';
