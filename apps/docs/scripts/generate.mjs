// Generates the parts of the site that must not rot: the capability matrix (from each backend's
// declared capabilities, loaded here), the error catalogue (from the packages' READMEs and
// sources, see catalogue.mjs), the benchmark page and its SVG chart (from bench/results), and
// the API reference (TypeDoc, Markdown output). Everything goes under docs/generated and
// docs/api, which are build outputs (git-ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalogue } from './catalogue.mjs';
import { benchmarkPage, guideFragment, guideResults, readResults } from './benchmarks.mjs';
import { capabilityPage } from './capabilities.mjs';

const site = join(dirname(fileURLToPath(import.meta.url)), '..');
const repository = join(site, '..', '..');
const generated = join(site, 'docs', 'generated');

/** Relative links into other READMEs do not exist on the site: keep their text only. */
function withoutRelativeLinks(markdown) {
  return markdown.replace(/\[([^\]]+)\]\((?!https?:|#)[^)]+\)/g, '$1');
}

function errorPage() {
  const catalogue = readCatalogue(join(repository, 'packages'));
  const lines = [
    '# Error catalogue',
    '',
    'Generated from each package\'s README (its "Error codes" section) and checked against the codes',
    "its sources throw: a code without a paragraph fails the docs test. Check `error.code`, never the message.",
    '',
  ];
  for (const entry of catalogue.filter((candidate) => candidate.section)) {
    lines.push(`## ${entry.name}`, '', withoutRelativeLinks(entry.section).replace(/^### /gm, '### '), '');
  }
  const undocumented = catalogue.flatMap((entry) => entry.undocumented.map((code) => `${code} (${entry.name})`));
  if (undocumented.length > 0) {
    console.warn(`docs: error codes without a catalogue entry: ${undocumented.join(', ')}`);
    lines.push('## Not yet documented', '', ...undocumented.map((code) => `- \`${code}\``), '');
  }
  return lines.join('\n');
}

function apiReference() {
  rmSync(join(site, 'docs', 'api'), { recursive: true, force: true });
  const typedoc = join(repository, 'node_modules', 'typedoc', 'bin', 'typedoc');
  execFileSync(process.execPath, [typedoc, '--options', join(site, 'typedoc.json')], { cwd: site, stdio: 'inherit' });
}

rmSync(generated, { recursive: true, force: true });
mkdirSync(generated, { recursive: true });
writeFileSync(join(generated, 'capabilities.md'), await capabilityPage());
writeFileSync(join(generated, 'errors.md'), errorPage());
const results = readResults(join(repository, 'bench', 'results'));
const benchmarks = benchmarkPage(results);
writeFileSync(join(generated, 'benchmarks.md'), benchmarks.markdown);
for (const guide of Object.keys(guideResults)) writeFileSync(join(generated, `bench-${guide}.md`), guideFragment(results, guide));
mkdirSync(join(site, 'docs', 'public'), { recursive: true });
for (const [name, svg] of benchmarks.charts) writeFileSync(join(site, 'docs', 'public', name), svg);
apiReference();
console.log('docs: generated capability matrix, error catalogue, benchmarks and API reference');
