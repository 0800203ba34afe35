#!/usr/bin/env bash
# The documentation site in headless Chromium (apps/docs/scripts/browser-check.mjs): every
# sidebar page renders without console errors, local search finds `madvise`, internal links
# resolve; a screenshot is saved beside the results. Installs Debian's chromium when missing
# (as root). Always exits 0: the results file carries the counts, a setup failure is a failed test.
# Usage: bash .ci/docs-browser.sh <results.json>
set -uo pipefail
cd "$(dirname "$0")/.."
results=$1
fail() {
  echo "docs browser check: $1"
  printf '{"numPassedTests":0,"numFailedTests":1,"testResults":[{"name":"docs in chromium","status":"failed","assertionResults":[{"title":"setup","status":"failed","failureMessages":["%s"]}]}]}' "$1" > "$results"
  exit 0
}
chromium_path=$(command -v chromium || true)
if [ -z "$chromium_path" ] && [ "$(id -u)" = 0 ]; then
  echo "installing chromium (apt-get)"
  (apt-get install -y -q chromium > /tmp/mmapkit-apt-chromium.log 2>&1 || { apt-get update -q > /dev/null 2>&1 && apt-get install -y -q chromium > /tmp/mmapkit-apt-chromium.log 2>&1; }) || true
  chromium_path=$(command -v chromium || true)
fi
[ -n "$chromium_path" ] || fail "chromium is not installed and could not be installed"
[ -f apps/docs/docs/.vitepress/dist/index.html ] || fail "the site is not built (apps/docs/docs/.vitepress/dist)"
timeout 600 node apps/docs/scripts/browser-check.mjs "$results" "$(dirname "$results")/docs-screenshot.png" "$chromium_path" || true
[ -f "$results" ] || fail "the browser check wrote no results"
