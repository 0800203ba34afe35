export { backend } from './instance.js';
export { capabilities } from './backend.js';
