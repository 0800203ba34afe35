#!/usr/bin/env node
// publint and @arethetypeswrong (attw) on packed tarballs: the exports maps, the `types`
// conditions, ESM and CommonJS entry points, `sideEffects`, files named but not packed.
// publint runs strict (a warning fails); its suggestions are printed. attw runs with the
// resolutions of its `node16` profile (node16 from CommonJS, node16 from ESM, bundler): the
// legacy `node10` resolution (TypeScript's moduleResolution "node") cannot see subpath
// exports such as `@mmapkit/native-napi/testing` and is not checked. attw's library is
// used in-process (the CLI's own, same pinned version) so TypeScript loads once.
//
// Usage: node scripts/lint-tarballs.mjs <tarball>...    exits 1 when one has a problem.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

/** The resolution kinds of attw's `node16` profile. */
const checkedResolutions = new Set(['node16-cjs', 'node16-esm', 'bundler']);

/** publint's findings: `{ failures, suggestions }` as readable lines. */
export async function publintFindings(tarball) {
  const data = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    strict: true,
    level: 'suggestion',
  });
  const line = (message) => `publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`;
  return {
    failures: messages.filter((message) => message.type !== 'suggestion').map(line),
    suggestions: messages.filter((message) => message.type === 'suggestion').map(line),
  };
}

function describeProblem(problem) {
  const where = [problem.entrypoint, problem.resolutionKind].filter(Boolean).join(' ');
  return `attw ${problem.kind}${where ? ` (${where})` : ''}`;
}

/** attw's problems under the node16 profile, as readable lines. */
export async function attwProblems(tarball) {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarball))));
  if (analysis.types === false) return ['attw: the package has no types'];
  return analysis.problems
    .filter((problem) => problem.resolutionKind === undefined || checkedResolutions.has(problem.resolutionKind))
    .map(describeProblem);
}

/** Both linters on one tarball: `{ failures, suggestions }`. */
export async function lintTarball(tarball) {
  const fromPublint = await publintFindings(tarball);
  return {
    failures: [...fromPublint.failures, ...(await attwProblems(tarball))],
    suggestions: fromPublint.suggestions,
  };
}

async function main() {
  let failed = 0;
  for (const tarball of process.argv.slice(2)) {
    const { failures, suggestions } = await lintTarball(resolve(tarball));
    if (failures.length > 0) failed += 1;
    console.log(`${basename(tarball)}: ${failures.length === 0 ? 'publint and attw pass' : failures.join('; ')}`);
    for (const suggestion of suggestions) console.log(`  ${suggestion}`);
  }
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
