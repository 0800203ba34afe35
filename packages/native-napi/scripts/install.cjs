#!/usr/bin/env node
// The package's install script. Never fails the install and never downloads anything.
//
// On `npm install` of the published package: when the tarball holds a prebuilt binary for
// this platform, architecture and C library (prebuilds/<platform>-<arch>/, see
// addon-location.cjs) and it loads in this Node, nothing is compiled. Otherwise it builds the
// addon with node-gyp against the headers of the Node that runs this script (no network),
// but only when a compiler, make and python3 are there; when the build cannot be done it says
// what is missing and how to fix it, records that in build/install-failure.txt (read by the
// package when it is imported), and exits 0. The mmapkit front door then falls back to
// another backend. `npm install --build-from-source` (or MMAPKIT_BUILD_FROM_SOURCE=1) compiles
// even when a prebuild matches; so does the development tree (src/ is there; the tarball has
// no src/).
// With --strict (the build:native script) it always builds, and a failed build exits 1.
// With --if-stale (the `addon` script, run by turbo before every `build` of this package,
// so `npm test` after a .cc edit tests the new code): does nothing when the addon is newer
// than every file under native/ and binding.gyp, or when it is missing because the install
// could not build it (build/install-failure.txt says why); otherwise rebuilds, strictly.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const location = require('./addon-location.cjs');

const packageRoot = location.packageRoot;
const buildFolder = path.join(packageRoot, 'build');
const failureFile = location.installFailurePath;
const addonFile = location.builtPath;

/** Whether the addon is missing or older than its sources (when the install could build it). */
function addonIsStale() {
  if (!existsSync(addonFile)) return !existsSync(failureFile);
  return location.olderThanSources(addonFile);
}

if (process.argv.includes('--if-stale')) {
  if (!addonIsStale()) process.exit(0);
  console.log('@mmapkit/native-napi: native/ or binding.gyp changed since the addon was built: rebuilding it');
  process.argv.push('--strict');
}

/** Which build tools are missing from PATH (a guess at why a build failed). */
function missingTools() {
  const found = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  const missing = [];
  if (!found('python3') && !found('python')) missing.push('python3');
  if (!found('make')) missing.push('make');
  if (!found('c++') && !found('g++') && !found('clang++')) missing.push('a C++17 compiler (g++ or clang++)');
  return missing;
}

function giveUp(reason) {
  const message = [
    `@mmapkit/native-napi: the native addon was not built: ${reason}`,
    'The package installs anyway; importing it throws ERR_MMAP_BACKEND_UNAVAILABLE and the',
    "mmapkit front door uses another backend (ffi-koffi or fallback-fs).",
    'To build it: install a C++17 compiler, make and python3 (Debian/Ubuntu:',
    '`apt-get install build-essential python3`; Fedora: `dnf install gcc-c++ make python3`;',
    'macOS: `xcode-select --install`), and Node.js headers (a Node from nodejs.org or a',
    'distribution package that ships include/node), then run',
    '`npm rebuild @mmapkit/native-napi --build-from-source` (in the mmapkit repository:',
    '`npm run build:native -w @mmapkit/native-napi`).',
  ].join('\n');
  console.warn(message);
  try {
    mkdirSync(buildFolder, { recursive: true });
    writeFileSync(failureFile, `${message}\n`);
  } catch {
    // Nothing more to do: the warning above is the report.
  }
  // `npm run build:native` (--strict) is a developer asking for the build: fail loudly.
  process.exit(process.argv.includes('--strict') ? 1 : 0);
}

/** Whether this install must compile: asked for, or the development tree. */
function buildFromSource() {
  const asked = (value) => value !== undefined && value !== '' && value !== 'false' && value !== '0';
  return (
    process.argv.includes('--strict') ||
    asked(process.env.npm_config_build_from_source) ||
    asked(process.env.MMAPKIT_BUILD_FROM_SOURCE) ||
    existsSync(path.join(packageRoot, 'src'))
  );
}

/** Why the prebuilt binary for this platform cannot be used, or undefined when it loads. */
function prebuildProblem() {
  const prebuild = location.prebuildPath();
  if (!existsSync(prebuild)) return `no prebuilt binary for ${process.platform}-${process.arch} (${path.relative(packageRoot, prebuild)})`;
  const loaded = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', prebuild], { encoding: 'utf8' });
  if (loaded.status === 0) return undefined;
  return `the prebuilt binary ${path.relative(packageRoot, prebuild)} does not load here (${(loaded.stderr || '').trim().split('\n')[0] || `exit ${String(loaded.status)}`})`;
}

if (!buildFromSource()) {
  const problem = prebuildProblem();
  if (problem === undefined) {
    rmSync(failureFile, { force: true });
    console.log(`@mmapkit/native-napi: using the prebuilt binary ${path.relative(packageRoot, location.prebuildPath())} (nothing to compile)`);
    process.exit(0);
  }
  // Without a toolchain, say so before node-gyp prints pages of errors.
  const missing = missingTools();
  if (missing.length > 0) giveUp(`${problem}, and it cannot be compiled here: missing from PATH: ${missing.join(', ')}`);
  console.log(`@mmapkit/native-napi: ${problem}: compiling it from source`);
}

const nodedir = location.nodeHeadersFolder();
if (nodedir === undefined) {
  giveUp(
    `the headers of this Node (${process.version}) were not found: expected include/node/common.gypi under ${path.resolve(path.dirname(process.execPath), '..')} (set MMAPKIT_NODEDIR to the folder that holds include/node)`,
  );
}

/** node-gyp: the one npm runs install scripts with (npm_config_node_gyp), else an installed one. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) {
  giveUp('node-gyp was not found (npm provides it to install scripts as npm_config_node_gyp; or `npm install node-gyp`)');
}

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodedir}`], {
  cwd: packageRoot,
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
if (result.status !== 0) {
  const missing = missingTools();
  giveUp(
    missing.length > 0
      ? `node-gyp failed; missing from PATH: ${missing.join(', ')}`
      : `node-gyp failed (exit ${String(result.status)}${result.signal ? `, ${result.signal}` : ''}); see its output above`,
  );
}
rmSync(failureFile, { force: true });
