#!/usr/bin/env node
// Packs every publishable workspace (each folder the root package.json's `workspaces` lists,
// `dir/*` patterns expanded, that is not `"private": true`) with `npm pack`, exactly as
// `npm publish` would (each package's `prepack` script first: native-napi's puts its prebuilt
// binary in), into one folder, and checks what each tarball holds: package.json, README.md,
// LICENSE and dist/; no tests, sources, build folders or tool configs; a package with a
// binding.gyp also its native sources and the prebuilt binary for this platform.
// A package added to `workspaces` joins without any change here.
//
// Usage: node scripts/pack.mjs [destination folder]     (default: a new temporary folder)
// Prints one line per tarball (size packed and unpacked, number of files, problems) and exits
// 1 when a tarball has a problem. The functions are also used by scripts/install-test.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (this file is in scripts/). */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** Folders of a `workspaces` entry: `packages/*` lists every subfolder of `packages`. */
function expandWorkspace(root, pattern) {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = join(root, pattern.slice(0, -2));
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .sort()
    .map((entry) => `${pattern.slice(0, -2)}/${entry}`)
    .filter((folder) => statSync(join(root, folder)).isDirectory());
}

/**
 * Every workspace of the repository at `root` that has a package.json:
 * `{ name, folder, manifest }`, `folder` relative to `root`.
 */
export function workspaces(root = repositoryRoot) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    .workspaces.flatMap((pattern) => expandWorkspace(root, pattern))
    .filter((folder) => existsSync(join(root, folder, 'package.json')))
    .map((folder) => {
      const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
      return { name: manifest.name, folder, manifest };
    });
}

/** The publishable workspaces: every one but those marked `"private": true`. */
export function publishableWorkspaces() {
  return workspaces().filter((workspace) => workspace.manifest.private !== true);
}

function npm(args, options = {}) {
  return spawnSync('npm', args, { cwd: repositoryRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

/**
 * `npm pack` of the workspaces into `destination`, each package's `prepack` run first (its
 * output on stderr, so stdout stays npm's JSON). Returns npm's report per tarball:
 * `{ name, version, filename, size, unpackedSize, files: [{ path, size }] }` plus `tarball`
 * (its absolute path) and `workspace`. Throws when a prepack script or `npm pack` fails.
 */
export function packWorkspaces(workspaces, destination) {
  mkdirSync(destination, { recursive: true });
  for (const workspace of workspaces.filter((entry) => entry.manifest.scripts?.prepack !== undefined)) {
    const prepack = npm(['run', 'prepack', '--workspace', workspace.folder], { stdio: ['ignore', 2, 2] });
    if (prepack.status !== 0)
      throw new Error(`the prepack script of ${workspace.name} failed (exit ${String(prepack.status)})`);
  }
  const selection = workspaces.flatMap((workspace) => ['--workspace', workspace.folder]);
  // --ignore-scripts: the prepack scripts ran above; npm would print their output on stdout.
  const packed = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination, ...selection]);
  if (packed.status !== 0) throw new Error(`npm pack failed (exit ${String(packed.status)}):\n${packed.stderr}`);
  return JSON.parse(packed.stdout).map((report) => ({
    ...report,
    tarball: join(destination, report.filename),
    workspace: workspaces.find((workspace) => workspace.name === report.name),
  }));
}

/** Paths users never need: tests, TypeScript sources, build outputs, tool configuration. */
const unwanted = [
  /(^|\/)(test|tests|__tests__|test-windows|fixtures|src|build|coverage|bench|\.turbo)\//,
  /(^|\/)(tsconfig[^/]*\.json|tsup\.config\.[^/]+|vitest\.config\.[^/]+|turbo\.json|[^/]*\.tsbuildinfo)$/,
];

/** What is wrong with one packed tarball (an empty list when nothing). */
export function tarballProblems(report) {
  const paths = report.files.map((file) => file.path);
  const problems = [];
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!paths.includes(required)) problems.push(`no ${required}`);
  }
  if (!paths.some((path) => path.startsWith('dist/'))) problems.push('no dist/ (is it built?)');
  for (const path of paths) {
    if (unwanted.some((pattern) => pattern.test(path))) problems.push(`ships ${path}`);
  }
  const folder = join(repositoryRoot, report.workspace.folder);
  if (existsSync(join(folder, 'binding.gyp'))) {
    const prebuild = `prebuilds/${process.platform}-${process.arch}/`;
    if (!paths.some((path) => path.startsWith(prebuild) && path.endsWith('.node')))
      problems.push(`no prebuilt binary in ${prebuild}`);
    if (!paths.includes('binding.gyp')) problems.push('no binding.gyp (needed to compile where no prebuild matches)');
    if (!paths.some((path) => path.endsWith('.cc'))) problems.push('no native sources');
  }
  return problems;
}

/** `12.3 KiB` */
export function kibibytes(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function main() {
  const destination = resolve(process.argv[2] ?? mkdtempSync(join(tmpdir(), 'mmapkit-pack-')));
  const reports = packWorkspaces(publishableWorkspaces(), destination);
  let failed = 0;
  for (const report of reports) {
    const problems = tarballProblems(report);
    if (problems.length > 0) failed += 1;
    const status = problems.length === 0 ? 'ok' : `PROBLEMS: ${problems.join('; ')}`;
    console.log(
      `${report.filename.padEnd(36)} ${kibibytes(report.size).padStart(10)} packed, ${kibibytes(report.unpackedSize).padStart(10)} unpacked, ${String(report.files.length).padStart(3)} files  ${status}`,
    );
  }
  console.log(`${reports.length} tarballs in ${destination}${failed > 0 ? `, ${failed} with problems` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
