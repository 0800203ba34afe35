#!/usr/bin/env node
// Puts the prebuilt binary for this platform into prebuilds/<platform>-<arch>/ (the path
// addon-location.cjs gives), for the tarball: `npm pack` and `npm publish` run it (prepack).
// The binary is the addon scripts/install.cjs builds with node-gyp against the headers of the
// Node that runs this script (no download; rebuilt first when native/ or binding.gyp changed),
// stripped of debugging symbols, and checked by loading it in a child process. N-API
// (NAPI_VERSION in binding.gyp) makes that one file load on every Node the package supports.
// Exits 1 when there is no binary to ship: a tarball without its prebuild must not be made.
'use strict';

const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, statSync } = require('node:fs');
const path = require('node:path');
const location = require('./addon-location.cjs');

function fail(message) {
  console.error(`@mmapkit/native-napi prebuild: ${message}`);
  process.exit(1);
}

function run(args) {
  return spawnSync(process.execPath, args, { cwd: location.packageRoot, stdio: 'inherit' }).status === 0;
}

/** The addon built here and up to date with its sources (built now when missing or stale). */
function freshAddon() {
  const installScript = path.join(__dirname, 'install.cjs');
  if (!run([installScript, '--if-stale'])) fail('rebuilding the stale addon failed (see above)');
  if (!existsSync(location.builtPath) && !run([installScript, '--strict'])) fail('the addon could not be built (see above)');
  return location.builtPath;
}

/** Removes debugging symbols when `strip` is there (binutils); keeps the copy as is otherwise. */
function strip(file) {
  const result = spawnSync('strip', ['--strip-unneeded', file], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.error !== undefined) return 'not stripped (no `strip` on PATH)';
  if (result.status !== 0) fail(`strip failed: ${result.stderr.trim()}`);
  return 'stripped';
}

/** Loads the binary in a child process and checks that it is the addon. */
function check(file) {
  const probe = 'const addon = require(process.argv[1]); if (typeof addon.map !== "function") throw new Error("no map() export")';
  const result = spawnSync(process.execPath, ['-e', probe, file], { encoding: 'utf8' });
  if (result.status !== 0) fail(`${file} does not load in node ${process.version}: ${result.stderr.trim()}`);
}

const source = freshAddon();
const target = location.prebuildPath();
mkdirSync(path.dirname(target), { recursive: true });
copyFileSync(source, target);
const stripped = strip(target);
check(target);
const kib = (statSync(target).size / 1024).toFixed(0);
console.log(`@mmapkit/native-napi prebuild: ${path.relative(location.packageRoot, target)} (${kib} KiB, ${stripped}, from ${path.relative(location.packageRoot, source)}; loads in node ${process.version})`);
