// Benchmarks of the native backend's fault guard, against baselines measured in the same run:
// 1. random and sequential reads of a cached file through a guarded mapping with the handler
//    installed vs an unguarded mapping with no handler at all (the guard must cost nothing
//    on normal access: within noise);
// 2. the cost of one handled fault (a write to a read-only page) next to a bare C program
//    doing the same fault and the same repair (bench/guard-fault.c, built with `cc -O2`);
// 3. what guarding adds to a 4 KiB map + close.
// The variants run round-robin and the ratios are medians of per-round ratios.
// Build first: npx turbo run build --filter=@mmapkit/native-napi
// Run: node bench/guard.mjs [--size-mib 256] [--reads 1000000] [--rounds 7] [--pages 4096]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { backend } from '../packages/native-napi/dist/index.js';
import { uninstallFaultGuardForTesting } from '../packages/native-napi/dist/testing.js';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '256' },
    reads: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '7' },
    pages: { type: 'string', default: '4096' },
  },
});
const mebibyte = 2 ** 20;
const fileLength = Number(values['size-mib']) * mebibyte;
const readCount = Number(values.reads);
const rounds = Number(values.rounds);
const faultPages = Number(values.pages);
const pageSize = backend.pageSize;
const benchDirectory = dirname(fileURLToPath(import.meta.url));
const dataDirectory = join(benchDirectory, '.data');
const bigPath = join(dataDirectory, `guard-reads-${fileLength}.bin`);
const pagesPath = join(dataDirectory, `guard-pages-${faultPages}.bin`);

function median(list) {
  return [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)];
}

/** A separate copy of a function, so that variants never share type feedback. */
function copyOf(code) {
  return new Function(`return (${code.toString()});`)();
}

/** Installs the handler (a guarded map does) or removes it, outside the timed region. */
function setHandler(installed) {
  if (installed) mapAnonymous(backend, { length: pageSize, faultGuard: true }).close();
  else uninstallFaultGuardForTesting();
}

/** Round-robin: each variant is `{ handler, work }`; returns per-variant times (ms) per round. */
function compare(variants) {
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const results = new Set();
  for (const { handler, work } of Object.values(variants)) {
    setHandler(handler);
    work();
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, { handler, work }] of Object.entries(variants)) {
      setHandler(handler);
      const start = performance.now();
      results.add(work());
      times[name].push(performance.now() - start);
    }
  }
  if (results.size !== 1) throw new Error(`variants disagree: ${[...results].join(', ')}`);
  return times;
}

/** Median over rounds of `times[a] / times[b]`. */
function ratio(a, b) {
  return median(a.map((time, index) => time / b[index]));
}

const rows = [];
function row(name, value, note = '') {
  rows.push({ benchmark: name, value, note });
}

mkdirSync(dataDirectory, { recursive: true });
ensureDataFile(bigPath, fileLength, 4242);
ensureDataFile(pagesPath, faultPages * pageSize, 77);

// 1. Reads with and without the guard.
{
  const guarded = mapFile(backend, { path: bigPath, faultGuard: true });
  const unguarded = mapFile(backend, { path: bigPath, faultGuard: false });
  await guarded.prefetch();
  await unguarded.prefetch();
  const next = seededGenerator(42);
  const offsets = new Float64Array(readCount);
  for (let index = 0; index < readCount; index++) offsets[index] = (next() % (fileLength / 8)) * 8;
  function randomReads(view, offsets, count) {
    let sum = 0;
    for (let index = 0; index < count; index++) sum += view.getFloat64(offsets[index], true) > 0 ? 1 : 0;
    return sum;
  }
  function sequentialSum(mapping, length) {
    const piece = 16 * 1024 * 1024;
    let total = 0;
    for (let offset = 0; offset < length; offset += piece) {
      const bytes = mapping.view(offset, Math.min(piece, length - offset));
      const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      for (let index = 0; index < words.length; index++) total = (total + words[index]) | 0;
    }
    return total;
  }
  const guardedRandom = copyOf(randomReads);
  const unguardedRandom = copyOf(randomReads);
  const guardedView = guarded.dataView();
  const unguardedView = unguarded.dataView();
  const random = compare({
    unguarded: { handler: false, work: () => unguardedRandom(unguardedView, offsets, readCount) },
    guarded: { handler: true, work: () => guardedRandom(guardedView, offsets, readCount) },
  });
  const guardedSequential = copyOf(sequentialSum);
  const unguardedSequential = copyOf(sequentialSum);
  const sequential = compare({
    unguarded: { handler: false, work: () => unguardedSequential(unguarded, fileLength) },
    guarded: { handler: true, work: () => guardedSequential(guarded, fileLength) },
  });
  guarded.close();
  unguarded.close();
  const size = `${fileLength / mebibyte} MiB`;
  row(`${readCount} random 8-byte reads, ${size} cached file: unguarded, no handler`, `${median(random.unguarded).toFixed(1)} ms`, 'baseline');
  row(`the same, guarded with the handler installed`, `${median(random.guarded).toFixed(1)} ms`, `${ratio(random.guarded, random.unguarded).toFixed(3)}x the baseline's time`);
  row(`sequential Int32 sum of the ${size} file: unguarded, no handler`, `${median(sequential.unguarded).toFixed(1)} ms`, 'baseline');
  row(`the same, guarded with the handler installed`, `${median(sequential.guarded).toFixed(1)} ms`, `${ratio(sequential.guarded, sequential.unguarded).toFixed(3)}x the baseline's time`);
}

// 2. Cost per handled fault: a write to each of `faultPages` read-only pages, minus the same
// loop over pages already writable (no fault); the C program does the same.
{
  setHandler(true);
  function writeEveryPage(bytes, pages, pageSize) {
    for (let page = 0; page < pages; page++) bytes[page * pageSize] = 1;
    return pages;
  }
  const faulting = copyOf(writeEveryPage);
  const plain = copyOf(writeEveryPage);
  const kinds = {
    'read-only anonymous page (repair: mprotect)': () => mapAnonymous(backend, { length: faultPages * pageSize, protection: 'read' }),
    'read-only shared file page (repair: copy-on-write remap)': () => mapFile(backend, { path: pagesPath }),
  };
  const perFault = {};
  for (const [kind, open] of Object.entries(kinds)) {
    const samples = [];
    for (let round = 0; round < rounds + 1; round++) {
      const mapping = open();
      const bytes = mapping.bytes;
      let sink = 0;
      for (let page = 0; page < faultPages; page++) sink += bytes[page * pageSize]; // resident first
      const start = performance.now();
      faulting(bytes, faultPages, pageSize);
      const faultTime = performance.now() - start;
      const again = performance.now();
      plain(bytes, faultPages, pageSize); // now writable: the loop alone
      const loopTime = performance.now() - again;
      if (mapping.faults().length === 0 || sink < 0) throw new Error('no fault was recorded');
      mapping.close();
      if (round > 0) samples.push(((faultTime - loopTime) * 1e6) / faultPages);
    }
    perFault[kind] = median(samples);
  }
  const binary = join(dataDirectory, 'guard-fault');
  execFileSync('cc', ['-O2', '-o', binary, join(benchDirectory, 'guard-fault.c')]);
  const cAnonymous = [];
  const cFile = [];
  for (let round = 0; round < rounds; round++) {
    const [anonymous, file] = execFileSync(binary, [String(faultPages), pagesPath], { encoding: 'utf8' }).trim().split(' ').map(Number);
    cAnonymous.push(anonymous);
    cFile.push(file);
  }
  const [anonymousKind, fileKind] = Object.keys(kinds);
  row(`one handled fault, ${anonymousKind}: bare C handler (cc -O2)`, `${(median(cAnonymous) / 1000).toFixed(2)} µs`, 'baseline');
  row(`the same through the guard (JIT code, registry, event record)`, `${(perFault[anonymousKind] / 1000).toFixed(2)} µs`, `${(perFault[anonymousKind] / median(cAnonymous)).toFixed(2)}x C`);
  row(`one handled fault, ${fileKind}: bare C handler (cc -O2)`, `${(median(cFile) / 1000).toFixed(2)} µs`, 'baseline');
  row(`the same through the guard`, `${(perFault[fileKind] / 1000).toFixed(2)} µs`, `${(perFault[fileKind] / median(cFile)).toFixed(2)}x C`);
}

// 3. What guarding adds to mapping and closing: registering the range (and, for a file, a
// duplicate descriptor) and the handler check.
{
  const pairs = 20_000;
  const onePage = join(dataDirectory, 'guard-one-page.bin');
  ensureDataFile(onePage, pageSize, 5);
  const variant = (faultGuard, file) => () => {
    for (let index = 0; index < pairs; index++) {
      (file ? mapFile(backend, { path: onePage, faultGuard }) : mapAnonymous(backend, { length: pageSize, faultGuard })).close();
    }
    return pairs;
  };
  for (const file of [false, true]) {
    const times = compare({
      unguarded: { handler: true, work: variant(false, file) },
      guarded: { handler: true, work: variant(true, file) },
    });
    const what = file ? '4 KiB mapFile().close()' : '4 KiB mapAnonymous().close()';
    row(`${what}: faultGuard: false`, `${((median(times.unguarded) * 1000) / pairs).toFixed(2)} µs`, 'baseline');
    row(`the same, guarded`, `${((median(times.guarded) * 1000) / pairs).toFixed(2)} µs`, `+${(((median(times.guarded) - median(times.unguarded)) * 1000) / pairs).toFixed(2)} µs`);
  }
}

console.log(`native-napi fault guard, Node ${process.version}, ${rounds} rounds (medians)`);
console.table(rows);
