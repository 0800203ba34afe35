import { closeSync, fdatasyncSync, openSync, statSync } from 'node:fs';
import { MmapError, systemError, unsupported, type Backend, type Mapping } from '@mmapkit/core';
import { bar, formatBytes, percent, Progress } from '../format.js';
import { chooseBackend } from '../backends.js';
import { map } from '../map.js';

/** Bytes handled per step of `touch`/`evict`, so progress moves and views stay small. */
const chunkLength = 64 * 2 ** 20;

/** Bytes read only to fault pages in; kept so the reads cannot be optimised away. */
let touchedSum = 0;

/** Residency of one file, as `mmapkit residency --json` prints it. */
export interface FileResidency {
  readonly path: string;
  readonly size: number;
  readonly pageSize: number;
  readonly pages: number;
  readonly resident: number;
}

function requireCapability(backend: Backend, needs: 'residency' | 'pageout'): void {
  const has = needs === 'residency' ? backend.capabilities.residency : backend.capabilities.advice.includes('pageout');
  if (!has) {
    const feature = needs === 'residency' ? 'page-cache residency' : 'evicting pages';
    throw unsupported(backend.name, feature, '(try --backend native-napi or --backend ffi-koffi)');
  }
}

function withMapping<T>(path: string, backend: Backend, action: (mapping: Mapping) => T): T | undefined {
  if (!statSync(path).isFile()) throw systemError('mmap', 'EINVAL', 'not a regular file', path);
  using mapping = map(path, { backend });
  if (mapping.byteLength === 0) return undefined;
  return action(mapping);
}

/**
 * The backend that measures page-cache residency for `backend`: itself when its views are
 * the page cache (`zeroCopy`), otherwise the first zero-copy backend with `residency` that
 * loads here. A backend that keeps its own copy of the file (fallback-fs) reports the pages
 * of that copy, never the page cache: trusting it would print a silently wrong 0%.
 *
 * @throws `MmapError` `ERR_MMAP_UNSUPPORTED` when no backend here can see the page cache
 */
export function pageCacheBackend(backend: Backend): Backend {
  if (backend.capabilities.zeroCopy) {
    requireCapability(backend, 'residency');
    return backend;
  }
  const reasons: string[] = [];
  for (const name of ['native-napi', 'ffi-koffi'] as const) {
    try {
      const candidate = chooseBackend({ backend: name }).backend;
      if (candidate.capabilities.zeroCopy && candidate.capabilities.residency) return candidate;
      reasons.push(`${name} cannot report residency`);
    } catch (error) {
      reasons.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new MmapError(
    'ERR_MMAP_UNSUPPORTED',
    `the ${backend.name} backend keeps its own copy of a file and cannot see the page cache, and no backend that can loads here (${reasons.join('; ')})`,
  );
}

/** Page-cache residency of one file (`mincore` over a read-only mapping). */
export function fileResidency(path: string, backend: Backend): FileResidency {
  requireCapability(backend, 'residency');
  if (!backend.capabilities.zeroCopy) throw new MmapError('ERR_MMAP_UNSUPPORTED', `the ${backend.name} backend cannot see the page cache; use pageCacheBackend()`);
  const result = withMapping(path, backend, (mapping) => {
    let resident = 0;
    let pages = 0;
    for (let offset = 0; offset < mapping.byteLength; offset += chunkLength) {
      const part = mapping.residency({ offset, length: Math.min(chunkLength, mapping.byteLength - offset) });
      resident += part.resident;
      pages += part.pages;
    }
    return { pages, resident };
  });
  return { path, size: statSync(path).size, pageSize: backend.pageSize, pages: result?.pages ?? 0, resident: result?.resident ?? 0 };
}

/** `mmapkit residency FILE...` */
export function residency(paths: readonly string[], backend: Backend, json: boolean): void {
  const measuring = pageCacheBackend(backend);
  if (measuring !== backend) {
    process.stderr.write(`mmapkit: the ${backend.name} backend cannot see the page cache; measuring through ${measuring.name} (mincore)\n`);
  }
  const results = paths.map((path) => fileResidency(path, measuring));
  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const width = Math.max(...paths.map((path) => path.length));
  for (const result of results) {
    const fraction = result.pages === 0 ? 0 : result.resident / result.pages;
    console.log(
      `${result.path.padEnd(width)}  ${bar(fraction)} ${percent(fraction).padStart(6)}  ${result.resident}/${result.pages} pages  ${formatBytes(result.resident * result.pageSize)} of ${formatBytes(result.size)}`,
    );
  }
}

/** `mmapkit touch FILE...`: load every page into the page cache, off the main thread. */
export async function touch(paths: readonly string[], backend: Backend): Promise<void> {
  for (const path of paths) {
    const started = performance.now();
    const progress = new Progress(process.stderr, `touch ${path}`);
    using mapping = map(path, { backend });
    for (let offset = 0; offset < mapping.byteLength; offset += chunkLength) {
      await mapping.prefetch({ offset, length: Math.min(chunkLength, mapping.byteLength - offset) });
      progress.update(offset + chunkLength, mapping.byteLength);
    }
    progress.finish(`${formatBytes(mapping.byteLength)} loaded in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  }
}

/**
 * `mmapkit evict FILE...`: drop each file's pages from the page cache. Pages that are
 * resident are mapped into this process and paged out (`MADV_PAGEOUT`); clean pages that
 * no other process maps leave the cache.
 */
export function evict(paths: readonly string[], backend: Backend): void {
  requireCapability(backend, 'pageout');
  requireCapability(backend, 'residency');
  const pageSize = backend.pageSize;
  for (const path of paths) {
    const progress = new Progress(process.stderr, `evict ${path}`);
    // Dirty pages cannot leave the cache until written back: flush the file first. (msync
    // would not: a read-only shared mapping is not VM_SHARED, so the kernel skips it.)
    const fd = openSync(path, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const bytes = withMapping(path, backend, (mapping) => {
      for (let offset = 0; offset < mapping.byteLength; offset += chunkLength) {
        const length = Math.min(chunkLength, mapping.byteLength - offset);
        const pages = mapping.residency({ offset, length }).map;
        const view = mapping.view(offset, length);
        // Fault resident pages into this process so MADV_PAGEOUT can reach them; cold pages are left alone.
        for (let page = 0; page < pages.length; page++) if (pages[page] === 1) touchedSum += view[page * pageSize] ?? 0;
        mapping.advise('pageout', { offset, length });
        progress.update(offset + length, mapping.byteLength);
      }
      return mapping.byteLength;
    });
    progress.finish(`${formatBytes(bytes ?? 0)} evicted`);
  }
}
