#!/usr/bin/env bash
# Compile-only check of the native addon's C++ sources against another Node's own headers,
# with the flags that Node's common.gypi gives addons there (C++20 from Node 22 on, no
# exceptions, no RTTI) plus the addon's own defines from binding.gyp. Catches source that a
# newer Node's headers or language level reject; nothing is linked or kept. The addon CI
# tests is still the one built once with Node 20's headers.
# Usage: bash .ci/compile-check.sh <node folder (holds include/node)>
set -uo pipefail
cd "$(dirname "$0")/.."

nodedir=${1:?usage: compile-check.sh <node folder>}
headers=$nodedir/include/node
addon_api=node_modules/node-addon-api
compiler=${CXX:-c++}

[ -f "$headers/node_api.h" ] || { echo "compile check: no Node headers in $headers"; exit 1; }
[ -f "$addon_api/napi.h" ] || { echo "compile check: node-addon-api is not installed ($addon_api)"; exit 1; }
command -v "$compiler" >/dev/null || { echo "compile check: no C++ compiler ($compiler)"; exit 1; }

# The language level the headers' own common.gypi asks of addons (gnu++20 on Node 22+), as
# strict ISO C++ (c++20, not gnu++20) so that compiler extensions do not hide a problem.
standard=$(grep -o -- "-std=gnu++[0-9a-z]*" "$headers/common.gypi" | head -n 1)
standard=${standard/gnu++/c++}
standard=${standard:--std=c++20}
# The sources and defines binding.gyp gives the addon: one source of truth.
gyp() {
  python3 -c 'import ast, sys; print(" ".join(sys.argv[2] + v for v in ast.literal_eval(open("packages/native-napi/binding.gyp").read())["targets"][0][sys.argv[1]]))' "$1" "$2"
}
defines=$(gyp defines -D)
read -r -a sources <<<"$(gyp sources packages/native-napi/)"
if [ -z "$defines" ] || [ "${#sources[@]}" = 0 ]; then
  echo "compile check: cannot read the sources and defines of packages/native-napi/binding.gyp"
  exit 1
fi

echo "compile check: $compiler $standard, $(basename "$nodedir") headers, $defines"
failed=0
for source in "${sources[@]}"; do
  # shellcheck disable=SC2086
  if ! "$compiler" "$standard" -fsyntax-only -fno-exceptions -fno-rtti -Wall -Wextra -Wno-unused-parameter \
      -I"$headers" -I"$addon_api" $defines -D_GLIBCXX_USE_CXX11_ABI=1 -DBUILDING_NODE_EXTENSION "$source"; then
    echo "compile check: $source does not compile against $(basename "$nodedir")"
    failed=1
  fi
done
[ "$failed" = 0 ] && echo "compile check: ${#sources[@]} sources compile against $(basename "$nodedir") with $standard"
exit "$failed"
