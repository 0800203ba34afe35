// Where the native addon can be, in the order the package tries them: the one compiled here
// (build/Release, by scripts/install.cjs: the development tree, or an install that had to
// compile), then the prebuilt binary shipped in the tarball for this platform, architecture
// and C library (prebuilds/<platform>-<arch>/mmapkit_native.<libc>.node). The one place that
// knows these paths (and the Node headers the builds use): the loader (src/addon.ts), the
// install script and the prebuild script all read them from here.
'use strict';

const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');
const addonName = 'mmapkit_native';

/** The C library of this Linux system: 'musl' when its dynamic loader is there, else 'glibc'. */
function linuxLibc() {
  try {
    return readdirSync('/lib').some((entry) => entry.startsWith('ld-musl-')) ? 'musl' : 'glibc';
  } catch {
    return 'glibc';
  }
}

/** The prebuild's folder and file name for a platform and architecture (default: this process's). */
function prebuildPath(
  platform = process.platform,
  arch = process.arch,
  libc = platform === 'linux' ? linuxLibc() : undefined,
) {
  const file = libc === undefined ? `${addonName}.node` : `${addonName}.${libc}.node`;
  return path.join(packageRoot, 'prebuilds', `${platform}-${arch}`, file);
}

/** The newest modification time (ms) of a file or of any file below a folder. */
function newestChange(target) {
  const status = statSync(target);
  if (!status.isDirectory()) return status.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestChange(path.join(target, entry)));
  return newest;
}

/** Whether `file` is missing or older than the addon's sources (native/ and binding.gyp). */
function olderThanSources(file) {
  if (!existsSync(file)) return true;
  const sources = Math.max(
    newestChange(path.join(packageRoot, 'native')),
    newestChange(path.join(packageRoot, 'binding.gyp')),
  );
  return statSync(file).mtimeMs < sources;
}

/** Where the running Node keeps its headers: <prefix>/include/node, next to <prefix>/bin/node. */
function nodeHeadersFolder() {
  const candidates = [process.env.MMAPKIT_NODEDIR, path.resolve(path.dirname(process.execPath), '..')];
  for (const candidate of candidates) {
    if (candidate && existsSync(path.join(candidate, 'include', 'node', 'common.gypi'))) return candidate;
  }
  return undefined;
}

module.exports = {
  nodeHeadersFolder,
  olderThanSources,
  packageRoot,
  /** The addon node-gyp builds (scripts/install.cjs). */
  builtPath: path.join(packageRoot, 'build', 'Release', `${addonName}.node`),
  /** Written by scripts/install.cjs when it could not build the addon: the reason. */
  installFailurePath: path.join(packageRoot, 'build', 'install-failure.txt'),
  prebuildPath,
  /** The places to try, in order, each with what it is (for messages and `mmapkit info`). */
  candidates() {
    return [
      { kind: 'build', path: module.exports.builtPath },
      { kind: 'prebuild', path: prebuildPath() },
    ];
  },
  /** Whether a file exists at the prebuild path of this process. */
  hasPrebuild() {
    return existsSync(prebuildPath());
  },
};
