// The built site in a real browser: serves docs/.vitepress/dist on localhost, opens it in
// headless Chromium through playwright-core, and checks that every page in the sidebar renders
// with no console error, that local search finds `madvise`, and that every internal link (and
// its #fragment) resolves. Saves a screenshot. Writes the results as a vitest-shaped JSON file
// (numPassedTests / numFailedTests) for .ci/count.mjs, and prints one line per check.
//
// Usage: node scripts/browser-check.mjs <results.json> <screenshot.png> [chromium path]
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [resultsFile, screenshotFile, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!resultsFile || !screenshotFile) {
  console.error('usage: node scripts/browser-check.mjs <results.json> <screenshot.png> [chromium path]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', '.vitepress', 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.woff2': 'font/woff2', '.png': 'image/png' };

/** The file a URL path names in the built site (VitePress: `/a/b` and `/a/b.html` are one page). */
function fileFor(urlPath) {
  const clean = normalize(decodeURIComponent(urlPath.split('?')[0])).replace(/^(\.\.[/\\])+/, '');
  for (const candidate of [clean, `${clean}.html`, join(clean, 'index.html')]) {
    const path = join(root, candidate);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}

const server = createServer((request, response) => {
  const file = fileFor(request.url ?? '/');
  if (!file) {
    response.writeHead(404).end('not found');
    return;
  }
  response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const results = [];
function record(title, failure) {
  results.push({ title, status: failure ? 'failed' : 'passed', failureMessages: failure ? [failure] : [] });
  console.log(`${failure ? 'FAIL' : 'ok  '} ${title}${failure ? `: ${failure}` : ''}`);
}

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await page.goto(`${origin}/getting-started.html`, { waitUntil: 'networkidle' });
  const sidebar = await page.$$eval('.VPSidebar a[href]', (anchors) => [...new Set(anchors.map((anchor) => anchor.getAttribute('href')))]);
  record(`the sidebar lists pages (${sidebar.length})`, sidebar.length >= 10 ? undefined : `only ${sidebar.length} links`);

  const links = new Set();
  for (const href of ['/', ...sidebar]) {
    consoleErrors.length = 0;
    const response = await page.goto(new URL(href, origin).href, { waitUntil: 'networkidle' });
    const heading = await page.$eval('h1', (element) => element.textContent?.trim() ?? '').catch(() => '');
    const problem = response?.status() !== 200 ? `HTTP ${response?.status()}` : heading === '' ? 'no <h1> rendered' : consoleErrors.length > 0 ? `console: ${consoleErrors.join(' | ')}` : undefined;
    record(`page ${href} renders (${heading.slice(0, 40)})`, problem);
    for (const link of await page.$$eval('.VPContent a[href]', (anchors) => anchors.map((anchor) => anchor.href))) {
      if (link.startsWith(origin)) links.add(link);
    }
  }

  // Fragments are checked in the server-rendered HTML (VitePress renders every heading id).
  const broken = [];
  const html = new Map();
  for (const link of links) {
    const url = new URL(link);
    const file = fileFor(url.pathname);
    if (!file) {
      broken.push(link.replace(origin, ''));
      continue;
    }
    if (!url.hash) continue;
    if (!html.has(file)) html.set(file, readFileSync(file, 'utf8'));
    const id = decodeURIComponent(url.hash.slice(1));
    if (!html.get(file).includes(`id="${id}"`)) broken.push(link.replace(origin, ''));
  }
  record(`every internal link resolves (${links.size} checked)`, broken.length === 0 ? undefined : broken.join(', '));

  await page.goto(`${origin}/getting-started.html`, { waitUntil: 'networkidle' });
  await page.click('.VPNavBarSearch button');
  await page.fill('.VPLocalSearchBox input.search-input', 'madvise');
  const hits = await page
    .waitForSelector('#localsearch-list li a', { timeout: 15_000 })
    .then(() => page.$$eval('#localsearch-list li a', (anchors) => anchors.map((anchor) => anchor.href)))
    .catch(() => []);
  // A hit is real when the page it leads to says madvise.
  const real = hits.filter((href) => {
    const file = fileFor(new URL(href).pathname);
    return file !== undefined && /madvise/i.test(readFileSync(file, 'utf8'));
  });
  record(`local search finds madvise (${hits.length} results, ${real.length} on pages that mention it)`, real.length > 0 && real.length === hits.length ? undefined : `results: ${hits.join(', ') || 'none'}`);
  await page.screenshot({ path: screenshotFile, fullPage: false });
  record(`screenshot saved to ${screenshotFile}`, existsSync(screenshotFile) ? undefined : 'no file');
} catch (error) {
  record('the browser check ran to the end', String(error));
} finally {
  await browser.close();
  server.close();
}

const failed = results.filter((result) => result.status === 'failed').length;
writeFileSync(
  resultsFile,
  JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed, testResults: [{ name: 'docs in chromium', status: failed ? 'failed' : 'passed', assertionResults: results }] }),
);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
