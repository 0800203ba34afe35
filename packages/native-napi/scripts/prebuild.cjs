#!/usr/bin/env node
// Puts the prebuilt binary for this platform into prebuilds/<platform>-<arch>/ (the path
// addon-location.cjs gives), for the tarball: `npm pack` and `npm publish` run it (prepack).
// The binary is the addon scripts/install.cjs builds with node-gyp against the headers of the
// Node that runs this script (no download; rebuilt first when native/ or binding.gyp changed),
// stripped of debugging symbols, and checked by loading it in a child process. N-API
// (NAPI_VERSION in binding.gyp) makes that one file load on every Node the package supports.
// Exits 1 when there is no binary to ship: a tarball without its prebuild must not be made.
// On Linux x86-64 it also cross-compiles prebuilds/linux-arm64/ when Debian's
// gcc-aarch64-linux-gnu/g++-aarch64-linux-gnu are on PATH (in build/cross-linux-arm64/, with
// this Node's headers: N-API's are the same on every architecture), and says so when they
// are not (that tarball then has no arm64 binary). A cross build is redone only when native/
// or binding.gyp changed since.
'use strict';

const { spawnSync } = require('node:child_process');
const { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } = require('node:fs');
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
  if (!existsSync(location.builtPath) && !run([installScript, '--strict']))
    fail('the addon could not be built (see above)');
  return location.builtPath;
}

/** Removes debugging symbols when `strip` is there (binutils); keeps the copy as is otherwise. */
function strip(file) {
  const result = spawnSync('strip', ['--strip-unneeded', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (result.error !== undefined) return 'not stripped (no `strip` on PATH)';
  if (result.status !== 0) fail(`strip failed: ${result.stderr.trim()}`);
  return 'stripped';
}

/** Loads the binary in a child process and checks that it is the addon. */
function check(file) {
  const probe =
    'const addon = require(process.argv[1]); if (typeof addon.map !== "function") throw new Error("no map() export")';
  const result = spawnSync(process.execPath, ['-e', probe, file], { encoding: 'utf8' });
  if (result.status !== 0) fail(`${file} does not load in node ${process.version}: ${result.stderr.trim()}`);
}

/** The prebuilds cross-compiled from Linux x86-64: target, compiler prefix, ELF machine number. */
const crossTargets = [
  { platform: 'linux', arch: 'arm64', libc: 'glibc', prefix: 'aarch64-linux-gnu-', elfMachine: 183 },
];

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** node-gyp in a copy of binding.gyp and native/ under build/, with the cross compiler. */
function crossCompile(target) {
  const folder = path.join(location.packageRoot, 'build', `cross-${target.platform}-${target.arch}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  cpSync(path.join(location.packageRoot, 'binding.gyp'), path.join(folder, 'binding.gyp'));
  cpSync(path.join(location.packageRoot, 'native'), path.join(folder, 'native'), { recursive: true });
  const nodedir = location.nodeHeadersFolder();
  if (nodedir === undefined) fail(`no Node headers for the ${target.arch} cross build (set MMAPKIT_NODEDIR)`);
  const tools = {
    CC: `${target.prefix}gcc`,
    CXX: `${target.prefix}g++`,
    LINK: `${target.prefix}g++`,
    AR: `${target.prefix}ar`,
  };
  const result = spawnSync(
    process.execPath,
    [
      require.resolve('node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      '--loglevel=warn',
      `--arch=${target.arch}`,
      `--nodedir=${nodedir}`,
    ],
    {
      cwd: folder,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...tools },
    },
  );
  if (result.status !== 0) fail(`the ${target.platform}-${target.arch} cross build failed (see above)`);
  return path.join(folder, 'build', 'Release', 'mmapkit_native.node');
}

/** The ELF header's machine field (e_machine, little-endian at byte 18). */
function elfMachine(file) {
  const header = readFileSync(file).subarray(0, 20);
  return header.readUInt32BE(0) === 0x7f454c46 ? header.readUInt16LE(18) : undefined;
}

function report(target, source, note) {
  const kib = (statSync(target).size / 1024).toFixed(0);
  console.log(
    `@mmapkit/native-napi prebuild: ${path.relative(location.packageRoot, target)} (${kib} KiB, ${note}, from ${path.relative(location.packageRoot, source)})`,
  );
}

function hostPrebuild() {
  const source = freshAddon();
  const target = location.prebuildPath();
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(source, target);
  const stripped = strip(target);
  check(target);
  report(target, source, `${stripped}; loads in node ${process.version}`);
}

function crossPrebuild(target) {
  const destination = location.prebuildPath(target.platform, target.arch, target.libc);
  if (!location.olderThanSources(destination)) {
    console.log(
      `@mmapkit/native-napi prebuild: ${path.relative(location.packageRoot, destination)} is up to date with native/ and binding.gyp`,
    );
    return;
  }
  if (!onPath(`${target.prefix}g++`)) {
    rmSync(destination, { force: true });
    console.log(
      `@mmapkit/native-napi prebuild: no ${target.platform}-${target.arch} binary (${target.prefix}g++ is not on PATH; Debian: apt-get install g++-${target.prefix.slice(0, -1)})`,
    );
    return;
  }
  const source = crossCompile(target);
  mkdirSync(path.dirname(destination), { recursive: true });
  copyFileSync(source, destination);
  const stripped =
    spawnSync(`${target.prefix}strip`, ['--strip-unneeded', destination]).status === 0 ? 'stripped' : 'not stripped';
  if (elfMachine(destination) !== target.elfMachine) fail(`${destination} is not an ELF file for ${target.arch}`);
  report(destination, source, `${stripped}, cross-compiled with ${target.prefix}g++`);
}

hostPrebuild();
if (process.platform === 'linux' && process.arch === 'x64') for (const target of crossTargets) crossPrebuild(target);
