import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { mapAnonymous, mapFile, type Backend, type Mapping } from '@mmapkit/core';
import { fileWith, seededBytes, temporaryFolder, type ExpectedError } from './support.js';

/**
 * The bad-input table and its fixture, free of any test runner, so that other runners (the
 * Windows run under `node --test`) use the very same cases: `@mmapkit/conformance/cases`.
 */

/** What a bad-input case can use: a file, a directory, descriptors and an open mapping. */
export interface BadInputFixture {
  readonly backend: Backend;
  readonly path: string;
  readonly directory: string;
  readonly missing: string;
  readonly fileLength: number;
  /**
   * Opens the file, closes it and returns its number: a descriptor that really was open a
   * moment ago and is closed now (the lowest free number, so it is not reused before the
   * synchronous call that takes it).
   */
  readonly closedDescriptor: () => number;
  readonly readOnlyFd: number;
  readonly writeOnlyFd: number;
  readonly mapping: Mapping;
}

/** One bad input and the error it must give. */
export interface BadInputCase {
  readonly name: string;
  readonly call: (fixture: BadInputFixture) => unknown;
  readonly expected: ExpectedError;
}

const typeError = (code = 'ERR_INVALID_ARG_TYPE'): ExpectedError => ({ name: 'TypeError', code });
const rangeError = (code = 'ERR_OUT_OF_RANGE'): ExpectedError => ({ name: 'RangeError', code });
const invalidValue = rangeError('ERR_INVALID_ARG_VALUE');
const system = (errno: string): ExpectedError => ({ name: 'MmapError', code: 'ERR_MMAP_SYSTEM', errno });
const outOfFile: ExpectedError = { name: 'MmapError', code: 'ERR_MMAP_OUT_OF_RANGE' };

/** The table of bad inputs every backend must reject with the same documented error. */
export const badInputCases: readonly BadInputCase[] = [
  // mapFile: the options object
  { name: 'mapFile without options', call: ({ backend }) => mapFile(backend, undefined as never), expected: typeError() },
  { name: 'mapFile with null options', call: ({ backend }) => mapFile(backend, null as never), expected: typeError() },
  { name: 'mapFile with a string for options', call: ({ backend, path }) => mapFile(backend, path as never), expected: typeError() },
  { name: 'mapFile with neither path nor fd', call: ({ backend }) => mapFile(backend, {}), expected: typeError() },
  { name: 'mapFile with both path and fd', call: ({ backend, path, readOnlyFd }) => mapFile(backend, { path, fd: readOnlyFd }), expected: typeError() },
  { name: 'a misspelled option', call: ({ backend, path }) => mapFile(backend, { path, lenght: 4 } as never), expected: typeError() },
  // path
  { name: 'a number as path', call: ({ backend }) => mapFile(backend, { path: 42 as never }), expected: typeError() },
  { name: 'an empty path', call: ({ backend }) => mapFile(backend, { path: '' }), expected: invalidValue },
  { name: 'a path with a NUL byte', call: ({ backend, path }) => mapFile(backend, { path: `${path}\0x` }), expected: invalidValue },
  { name: 'a non-file URL', call: ({ backend }) => mapFile(backend, { path: new URL('https://example.com/x') }), expected: typeError() },
  { name: 'a missing file', call: ({ backend, missing }) => mapFile(backend, { path: missing }), expected: system('ENOENT') },
  { name: 'a directory', call: ({ backend, directory }) => mapFile(backend, { path: directory }), expected: system('EISDIR') },
  // offset
  { name: 'a negative offset', call: ({ backend, path }) => mapFile(backend, { path, offset: -1 }), expected: rangeError() },
  { name: 'a NaN offset', call: ({ backend, path }) => mapFile(backend, { path, offset: Number.NaN }), expected: rangeError() },
  { name: 'a fractional offset', call: ({ backend, path }) => mapFile(backend, { path, offset: 1.5 }), expected: rangeError() },
  { name: 'an infinite offset', call: ({ backend, path }) => mapFile(backend, { path, offset: Number.POSITIVE_INFINITY }), expected: rangeError() },
  { name: 'an offset of 2^53', call: ({ backend, path }) => mapFile(backend, { path, offset: 2 ** 53 }), expected: rangeError() },
  { name: 'a string offset', call: ({ backend, path }) => mapFile(backend, { path, offset: '0' as never }), expected: typeError() },
  { name: 'a bigint offset', call: ({ backend, path }) => mapFile(backend, { path, offset: 0n as never }), expected: typeError() },
  { name: 'an offset past the end of the file', call: ({ backend, path, fileLength }) => mapFile(backend, { path, offset: fileLength + 1 }), expected: outOfFile },
  // length
  { name: 'a negative length', call: ({ backend, path }) => mapFile(backend, { path, length: -1 }), expected: rangeError() },
  { name: 'a NaN length', call: ({ backend, path }) => mapFile(backend, { path, length: Number.NaN }), expected: rangeError() },
  { name: 'a fractional length', call: ({ backend, path }) => mapFile(backend, { path, length: 0.5 }), expected: rangeError() },
  { name: 'a length of 2^53', call: ({ backend, path }) => mapFile(backend, { path, length: 2 ** 53 }), expected: rangeError() },
  { name: 'a string length', call: ({ backend, path }) => mapFile(backend, { path, length: '10' as never }), expected: typeError() },
  { name: 'offset + length past 2^53', call: ({ backend, path }) => mapFile(backend, { path, offset: 2 ** 52, length: 2 ** 52 }), expected: rangeError() },
  { name: 'a range past the end of the file', call: ({ backend, path, fileLength }) => mapFile(backend, { path, offset: 10, length: fileLength }), expected: outOfFile },
  // protection, sharing and flags
  { name: 'an unknown protection', call: ({ backend, path }) => mapFile(backend, { path, protection: 'rw' as never }), expected: invalidValue },
  { name: 'a numeric protection', call: ({ backend, path }) => mapFile(backend, { path, protection: 3 as never }), expected: typeError() },
  { name: 'an executable protection at map time', call: ({ backend, path }) => mapFile(backend, { path, protection: 'read-exec' as never }), expected: invalidValue },
  { name: 'an unknown sharing', call: ({ backend, path }) => mapFile(backend, { path, sharing: 'public' as never }), expected: invalidValue },
  { name: 'a string for populate', call: ({ backend, path }) => mapFile(backend, { path, populate: 'yes' as never }), expected: typeError() },
  { name: 'create with a read-only protection', call: ({ backend, path }) => mapFile(backend, { path, create: true }), expected: typeError() },
  { name: 'grow without a length', call: ({ backend, path }) => mapFile(backend, { path, grow: true, protection: 'read-write' }), expected: typeError() },
  { name: 'grow on a private mapping', call: ({ backend, path }) => mapFile(backend, { path, grow: true, length: 1, protection: 'read-write', sharing: 'private' }), expected: typeError() },
  // descriptors
  { name: 'a negative fd', call: ({ backend }) => mapFile(backend, { fd: -1 }), expected: rangeError() },
  { name: 'a fractional fd', call: ({ backend }) => mapFile(backend, { fd: 1.5 }), expected: rangeError() },
  { name: 'a descriptor that is not open', call: ({ backend, closedDescriptor }) => mapFile(backend, { fd: closedDescriptor() }), expected: system('EBADF') },
  { name: 'a write-only fd', call: ({ backend, writeOnlyFd }) => mapFile(backend, { fd: writeOnlyFd }), expected: system('EACCES') },
  {
    name: 'a writable shared mapping of an fd opened read-only',
    call: ({ backend, readOnlyFd }) => mapFile(backend, { fd: readOnlyFd, protection: 'read-write', sharing: 'shared' }),
    expected: system('EACCES'),
  },
  // mapAnonymous
  { name: 'an anonymous mapping of length 0', call: ({ backend }) => mapAnonymous(backend, { length: 0 }), expected: rangeError() },
  { name: 'an anonymous mapping of negative length', call: ({ backend }) => mapAnonymous(backend, { length: -5 }), expected: rangeError() },
  { name: 'an anonymous mapping without a length', call: ({ backend }) => mapAnonymous(backend, {} as never), expected: typeError() },
  { name: 'an anonymous mapping of 2^53 bytes', call: ({ backend }) => mapAnonymous(backend, { length: 2 ** 53 }), expected: rangeError() },
  // methods of an open mapping
  { name: 'view at a negative offset', call: ({ mapping }) => mapping.view(-1), expected: rangeError() },
  { name: 'view past the end', call: ({ mapping }) => mapping.view(0, mapping.byteLength + 1), expected: rangeError() },
  { name: 'view starting past the end', call: ({ mapping }) => mapping.view(mapping.byteLength + 1), expected: rangeError() },
  { name: 'view at a NaN offset', call: ({ mapping }) => mapping.view(Number.NaN), expected: rangeError() },
  { name: 'view with a string length', call: ({ mapping }) => mapping.view(0, '1' as never), expected: typeError() },
  { name: 'an unknown advice', call: ({ mapping }) => mapping.advise('sometimes' as never), expected: invalidValue },
  { name: 'content-discarding advice through advise()', call: ({ mapping }) => mapping.advise('dontneed' as never), expected: invalidValue },
  { name: 'safe advice through unsafeAdvise()', call: ({ mapping }) => mapping.unsafeAdvise('normal' as never), expected: invalidValue },
  { name: 'an unknown protection for protect()', call: ({ mapping }) => mapping.protect('rwx' as never), expected: invalidValue },
  { name: 'an executable protection through protect()', call: ({ mapping }) => mapping.protect('read-exec' as never), expected: invalidValue },
  { name: 'sync with a negative offset', call: ({ mapping }) => mapping.sync({ offset: -1 }), expected: rangeError() },
  { name: 'sync with a misspelled option', call: ({ mapping }) => mapping.sync({ lenght: 1 } as never), expected: typeError() },
  { name: 'sync with a string for options', call: ({ mapping }) => mapping.sync('all' as never), expected: typeError() },
  { name: 'sync with a non-boolean async', call: ({ mapping }) => mapping.sync({ async: 1 as never }), expected: typeError() },
  { name: 'refresh with a range past the end', call: ({ mapping }) => mapping.refresh({ offset: 1, length: mapping.byteLength }), expected: rangeError() },
  { name: 'advise with a huge length', call: ({ mapping }) => mapping.advise('normal', { length: 2 ** 60 }), expected: rangeError() },
  { name: 'protect with a fractional offset', call: ({ mapping }) => mapping.protect('read', { offset: 0.5 }), expected: rangeError() },
];

/** An open fixture, its file's original contents, and how to close it. */
export interface OpenBadInputFixture {
  readonly fixture: BadInputFixture;
  /** The bytes the file and the mapping must still hold after every case. */
  readonly contents: Uint8Array;
  /** Closes the mapping and descriptors and removes the folder. */
  readonly close: () => void;
}

/** Creates what the cases use: a file, a directory, descriptors and a read-write mapping. */
export function openBadInputFixture(backend: Backend): OpenBadInputFixture {
  const contents = seededBytes(backend.pageSize * 2 + 11, 11);
  const folder = temporaryFolder();
  const path = fileWith(folder.folder, 'data.bin', contents);
  const directory = join(folder.folder, 'directory');
  mkdirSync(directory);
  const fixture: BadInputFixture = {
    backend,
    path,
    directory,
    missing: join(folder.folder, 'missing.bin'),
    fileLength: contents.length,
    closedDescriptor: () => {
      const fd = openSync(path, 'r');
      closeSync(fd);
      return fd;
    },
    readOnlyFd: openSync(path, 'r'),
    writeOnlyFd: openSync(path, 'a'),
    mapping: mapFile(backend, { path, protection: 'read-write' }),
  };
  const close = (): void => {
    fixture.mapping.close();
    closeSync(fixture.readOnlyFd);
    closeSync(fixture.writeOnlyFd);
    folder.remove();
  };
  return { fixture, contents, close };
}
