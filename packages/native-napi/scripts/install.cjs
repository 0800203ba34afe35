#!/usr/bin/env node
// Builds the native addon with node-gyp against the headers of the Node that runs this
// script, without any network access. Never fails the install: when the build cannot be
// done it says what is missing and how to fix it, records that in
// build/install-failure.txt (read by the package when it is imported), and exits 0 so the
// rest of the workspace installs. The mmapkit front door then falls back to another backend.
// With --strict (the build:native script) a failed build exits 1 instead.
// With --if-stale (the `addon` script, run by turbo before every `build` of this package,
// so `npm test` after a .cc edit tests the new code): does nothing when the addon is newer
// than every file under native/ and binding.gyp, or when it is missing because the install
// could not build it (build/install-failure.txt says why); otherwise rebuilds, strictly.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');
const buildFolder = path.join(packageRoot, 'build');
const failureFile = path.join(buildFolder, 'install-failure.txt');
const addonFile = path.join(buildFolder, 'Release', 'mmapkit_native.node');

/** The newest modification time (ms) of a file or of any file below a folder. */
function newestChange(target) {
  const status = statSync(target);
  if (!status.isDirectory()) return status.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestChange(path.join(target, entry)));
  return newest;
}

/** Whether the addon is missing or older than its sources (when the install could build it). */
function addonIsStale() {
  if (!existsSync(addonFile)) return !existsSync(failureFile);
  const sources = Math.max(newestChange(path.join(packageRoot, 'native')), newestChange(path.join(packageRoot, 'binding.gyp')));
  return statSync(addonFile).mtimeMs < sources;
}

if (process.argv.includes('--if-stale')) {
  if (!addonIsStale()) process.exit(0);
  console.log('@mmapkit/native-napi: native/ or binding.gyp changed since the addon was built: rebuilding it');
  process.argv.push('--strict');
}

/** Where the running Node keeps its headers: <prefix>/include/node, next to <prefix>/bin/node. */
function nodeHeadersFolder() {
  const candidates = [process.env.MMAPKIT_NODEDIR, path.resolve(path.dirname(process.execPath), '..')];
  for (const candidate of candidates) {
    if (candidate && existsSync(path.join(candidate, 'include', 'node', 'common.gypi'))) return candidate;
  }
  return undefined;
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
    '`npm run build:native -w @mmapkit/native-napi`.',
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

const nodedir = nodeHeadersFolder();
if (nodedir === undefined) {
  giveUp(
    `the headers of this Node (${process.version}) were not found: expected include/node/common.gypi under ${path.resolve(path.dirname(process.execPath), '..')} (set MMAPKIT_NODEDIR to the folder that holds include/node)`,
  );
}

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  giveUp('node-gyp is not installed (it is a dependency of this package: run npm install again)');
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
