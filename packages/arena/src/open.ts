/**
 * Getting a mapping for an arena (anonymous reserve, file, shared memory) and writing or
 * checking its header. Everything that can go wrong with a file someone else wrote is
 * found here, before any block is touched: a short file, a foreign file, a bad checksum.
 */
import { randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendFor, isMmapError, map, mapAnonymous, MmapRangeError, SharedMemory, type Backend, type Mapping } from 'mmapkit';
import type { ArenaKind } from './api.js';
import { ArenaError, corruptError } from './errors.js';
import {
  arenaMagic,
  ArenaHeader,
  formattedWord,
  headerChecksum,
  journalCapacity,
  journalLengthWord,
  largeSegmentShift,
  layoutVersion,
  metadataBytes,
} from './layout.js';
import type { CheckedOpenTarget, CheckedTarget } from './validate.js';

/** A mapping an arena lives in, and what it is. */
export interface ArenaMapping {
  readonly mapping: Mapping;
  readonly kind: ArenaKind;
  /** File path or shared-memory name, for messages. */
  readonly label: string | undefined;
  /** Shared memory this package opened (closed with the arena). */
  readonly ownedMemory: SharedMemory | undefined;
}

/** The fixed header fields of an arena. */
export interface HeaderFields {
  readonly size: number;
  readonly segmentShift: number;
  readonly salt: number;
}

const pageBytes = 4096;

function labelOf(path: string | URL): string {
  return typeof path === 'string' ? path : fileURLToPath(path);
}

/** Rounds an arena size down to whole pages. */
export function arenaSizeFor(bytes: number): number {
  return Math.floor(bytes / pageBytes) * pageBytes;
}

/** Segments are 1 GiB for large arenas, the whole arena (rounded to a power of two) otherwise. */
export function segmentShiftFor(size: number): number {
  return Math.min(largeSegmentShift, Math.ceil(Math.log2(size)));
}

/** Maps the memory of a new arena. */
export function mapForCreate(target: CheckedTarget, backendOption: Parameters<typeof backendFor>[0]): ArenaMapping {
  const backend = backendFor(backendOption);
  const size = arenaSizeFor(target.size);
  switch (target.kind) {
    case 'anonymous':
      return { mapping: reserveAnonymous(backend, size), kind: 'anonymous', label: undefined, ownedMemory: undefined };
    case 'file': {
      const label = labelOf(target.path);
      let existing = -1;
      try {
        existing = statSync(target.path).size;
      } catch {
        // No file yet: map() creates it.
      }
      if (existing >= 0 && existing < size && !target.grow) {
        throw new MmapRangeError('options.size', `<= ${existing}, the size of '${label}' (or pass grow: true)`, target.size);
      }
      const mapping = map(target.path, { backend, protection: 'read-write', sharing: 'shared', create: true, grow: true, length: size });
      return { mapping, kind: 'file', label, ownedMemory: undefined };
    }
    case 'shared-memory': {
      if (typeof target.memory === 'string') {
        const memory = SharedMemory.createNamed(target.memory, size, { backend });
        return { ...mapSharedMemory(memory, size, true), label: memory.name };
      }
      if (target.memory.byteLength < size) {
        throw new MmapRangeError('options.size', `<= ${target.memory.byteLength}, the size of the shared memory`, target.size);
      }
      return { ...mapSharedMemory(target.memory, size, false), label: target.memory.name };
    }
  }
}

/** Maps the memory of an existing arena (the whole file or shared memory). */
export function mapForOpen(target: CheckedOpenTarget, backendOption: Parameters<typeof backendFor>[0]): ArenaMapping {
  const backend = backendFor(backendOption);
  if (target.kind === 'file') {
    const mapping = map(target.path, { backend, protection: 'read-write', sharing: 'shared' });
    return { mapping, kind: 'file', label: labelOf(target.path), ownedMemory: undefined };
  }
  const owned = typeof target.memory === 'string';
  const memory = typeof target.memory === 'string' ? SharedMemory.openNamed(target.memory, { backend }) : target.memory;
  return { ...mapSharedMemory(memory, memory.byteLength, owned), label: memory.name };
}

function mapSharedMemory(memory: SharedMemory, size: number, owned: boolean): Omit<ArenaMapping, 'label'> {
  const mapping = memory.map({ length: size });
  if (owned && !memory.backend.capabilities.retainsFileDescriptor) {
    memory.close();
    return { mapping, kind: 'shared-memory', ownedMemory: undefined };
  }
  return { mapping, kind: 'shared-memory', ownedMemory: owned ? memory : undefined };
}

function reserveAnonymous(backend: Backend, size: number): Mapping {
  try {
    return mapAnonymous(size, { backend, sharing: 'private', noReserve: backend.capabilities.noReserve });
  } catch (error) {
    if (!isMmapError(error)) throw error;
    throw new ArenaError(
      'ERR_ARENA_UNSUPPORTED',
      `The ${backend.name} backend cannot reserve ${size} bytes of address space here (${error.message}); ask for a smaller reserve${
        backend.capabilities.zeroCopy ? '' : ' (this backend keeps the whole reserve in ordinary memory)'
      }.`,
      { cause: error },
    );
  }
}

/**
 * Writes the header of a new arena. The magic goes last, so an arena whose creation was
 * cut off is recognised as "not an arena" rather than trusted.
 */
export function writeHeader(mapping: Mapping, fields: HeaderFields, label: string | undefined): void {
  const bytes = mapping.view(0, 64);
  if (bytes.some((byte) => byte !== 0)) {
    throw new ArenaError('ERR_ARENA_EXISTS', `${label === undefined ? 'The memory' : `'${label}'`} already holds data (an arena or another file); open it with Arena.open() or remove it.`, {
      ...(label === undefined ? {} : { path: label }),
    });
  }
  const header = ArenaHeader.view(bytes, 0);
  header.version = layoutVersion;
  header.size = fields.size;
  header.segmentShift = fields.segmentShift;
  header.salt = fields.salt;
  header.checksum = headerChecksum(arenaMagic, layoutVersion, fields.size, fields.segmentShift, fields.salt);
}

/** Makes the arena recognisable: its last step of creation. */
export function sealHeader(mapping: Mapping): void {
  ArenaHeader.view(mapping.view(0, 64), 0).magic = arenaMagic;
}

/** A new random salt for block tags. */
export function newSalt(): number {
  return randomInt(1, 2 ** 31);
}

/** Reads and checks the header of an existing arena. */
export function readHeader(mapping: Mapping, label: string | undefined): HeaderFields {
  if (mapping.byteLength < metadataBytes) {
    throw corruptError(`it is ${mapping.byteLength} bytes long, shorter than the ${metadataBytes}-byte arena header (truncated, or not an arena)`, label);
  }
  const bytes = mapping.view(0, metadataBytes);
  const header = ArenaHeader.view(bytes, 0);
  if (header.magic !== arenaMagic) throw corruptError(`it does not start with the arena magic (found 0x${header.magic.toString(16)}): not an arena`, label);
  if (header.version !== layoutVersion) {
    throw new ArenaError('ERR_ARENA_UNSUPPORTED', `The arena uses layout version ${header.version}; this package reads version ${layoutVersion}.`, {
      ...(label === undefined ? {} : { path: label }),
    });
  }
  const fields = { size: header.size, segmentShift: header.segmentShift, salt: header.salt };
  if (header.checksum !== headerChecksum(arenaMagic, layoutVersion, fields.size, fields.segmentShift, fields.salt)) {
    throw corruptError('the header checksum does not match its fields', label);
  }
  if (!(Number.isSafeInteger(fields.size) && fields.size > metadataBytes && fields.segmentShift >= 16 && fields.segmentShift <= largeSegmentShift)) {
    throw corruptError(`the header describes an impossible arena (size ${fields.size}, segment shift ${fields.segmentShift})`, label);
  }
  if (fields.size > mapping.byteLength) {
    throw corruptError(`the header says ${fields.size} bytes but only ${mapping.byteLength} are there (the file was truncated)`, label);
  }
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, metadataBytes / 4);
  const segments = Math.ceil(fields.size / 2 ** fields.segmentShift);
  const formatted = Atomics.load(words, formattedWord);
  if (formatted < 1 || formatted > segments) throw corruptError(`the header says ${formatted} segments are in use, of ${segments}`, label);
  const journal = Atomics.load(words, journalLengthWord);
  if (journal < 0 || journal > journalCapacity) throw corruptError(`the journal length is ${journal}`, label);
  return fields;
}
