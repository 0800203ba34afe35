export type { LineRange, LinesOptions, ReadOptions, ScanOptions, WriteOptions } from './api.js';
export { chunks, toWebStream } from './chunks.js';
export { lineOffsets, lines, scanLines } from './lines.js';
export type { LineIterable } from './lines.js';
export { createReadStream, MappedReadStream } from './read-stream.js';
export { createWriteStream, MappedWriteStream } from './write-stream.js';
export type { ReadTarget } from './validate.js';
