#!/usr/bin/env node
// A dry run of cutting a release, in a throwaway copy of the manifests (every workspace's
// package.json, the root package.json and lock file, .changeset/): adds a changeset with a
// minor change to the package at the bottom of the graph (@mmapkit/core, on which every other
// package depends), runs `changeset version` and `npm install --package-lock-only` there as
// the README's "Cutting a release" says, and checks that
//   - every package whose version changed has a CHANGELOG.md entry for its new version;
//   - every internal range (dependencies, optionalDependencies, peerDependencies,
//     devDependencies) still matches the new version of the package it names;
//   - the lock file records the new versions, so `npm ci` accepts the tree.
// Nothing in the repository changes. Usage: node scripts/release-check.mjs   (exit 1 on failure)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repositoryRoot, workspaces } from './pack.mjs';

const semver = createRequire(createRequire(import.meta.url).resolve('@changesets/cli/package.json'))('semver');
const dependencyFields = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'];

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The manifests, lock file and .changeset/ in a new folder that uses the repository's node_modules. */
function throwawayCopy(folders) {
  const copy = mkdtempSync(join(tmpdir(), 'mmapkit-release-check-'));
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(repositoryRoot, file), join(copy, file));
  cpSync(join(repositoryRoot, '.changeset'), join(copy, '.changeset'), { recursive: true });
  for (const folder of folders) {
    mkdirSync(join(copy, folder), { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(repositoryRoot, folder, file)))
        cpSync(join(repositoryRoot, folder, file), join(copy, folder, file));
    }
  }
  symlinkSync(join(repositoryRoot, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

function runIn(folder, command, args) {
  const result = spawnSync(command, args, { cwd: folder, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

/** What is wrong after the version step (an empty list when nothing). */
function releaseProblems(copy, before) {
  const after = workspaces(copy);
  const versions = new Map(after.map((entry) => [entry.manifest.name, entry.manifest.version]));
  const lock = readJson(join(copy, 'package-lock.json'));
  const problems = [];
  for (const { folder, manifest } of after) {
    const old = before.find((entry) => entry.folder === folder)?.manifest.version;
    if (old !== manifest.version) {
      const changelog = join(copy, folder, 'CHANGELOG.md');
      if (!existsSync(changelog) || !readFileSync(changelog, 'utf8').includes(`## ${manifest.version}`))
        problems.push(`${manifest.name} ${manifest.version}: no CHANGELOG.md entry`);
    }
    if (lock.packages?.[folder]?.version !== manifest.version)
      problems.push(
        `${manifest.name}: the lock file says ${lock.packages?.[folder]?.version}, package.json ${manifest.version}`,
      );
    for (const field of dependencyFields) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        const version = versions.get(name);
        if (version !== undefined && !semver.satisfies(version, range))
          problems.push(`${manifest.name} ${field} ${name}@${range} does not match ${name} ${version}`);
      }
    }
  }
  return { problems, after };
}

const before = workspaces(repositoryRoot);
const copy = throwawayCopy(before.map((entry) => entry.folder));
try {
  writeFileSync(
    join(copy, '.changeset', 'release-check.md'),
    "---\n'@mmapkit/core': minor\n---\n\nA dry run of cutting a release (scripts/release-check.mjs).\n",
  );
  runIn(copy, process.execPath, [
    join(dirname(createRequire(import.meta.url).resolve('@changesets/cli/package.json')), 'bin.js'),
    'version',
  ]);
  runIn(copy, 'npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']);
  const { problems, after } = releaseProblems(copy, before);
  for (const { manifest } of after) {
    const old = before.find((entry) => entry.manifest.name === manifest.name)?.manifest.version;
    console.log(
      `${manifest.name.padEnd(24)} ${old === manifest.version ? `${manifest.version} (unchanged)` : `${old} -> ${manifest.version}`}`,
    );
  }
  for (const problem of problems) console.log(`PROBLEM: ${problem}`);
  console.log(
    problems.length === 0
      ? 'changeset version: changelogs written, internal ranges and the lock file consistent'
      : `${problems.length} problems`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}
