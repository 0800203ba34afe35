// The error catalogue, read from where the codes are defined and documented: every package's
// README has an "## Error codes" section with one `- **`CODE`**: ...` paragraph per code, and
// every code thrown appears as a string literal in the package's src/. The docs site prints
// the README paragraphs; `undocumented` lists codes found in src/ that no README describes
// (the docs test requires it to be empty, so a new code without docs fails CI).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const codePattern = /['"`](ERR_[A-Z0-9_]+)['"`]/g;
// Node's own codes that mmapkit only recognises (a loader checks for them), never throws.
const nodeCodes = new Set(['ERR_DLOPEN_DISABLED']);
const entryPattern = /^- \*\*`(ERR_[A-Z0-9_]+)`\*\*/;

/** Files under `folder` whose name ends with `.ts` (recursively). */
function sourceFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The `## Error codes` section of a README (up to the next `## ` heading), or undefined. */
export function errorSection(readme) {
  const start = readme.search(/^## Error codes\s*$/m);
  if (start < 0) return undefined;
  const rest = readme.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => /^## /.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

/** Codes documented by a section: each `- **`CODE`**` bullet. */
export function documentedCodes(section) {
  return new Set(section.split('\n').flatMap((line) => line.match(entryPattern)?.[1] ?? []));
}

/** Codes used as string literals in a package's sources. */
export function thrownCodes(packageFolder) {
  const codes = new Set();
  for (const file of sourceFiles(join(packageFolder, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(codePattern)) if (!nodeCodes.has(match[1])) codes.add(match[1]);
  }
  return codes;
}

/**
 * One entry per package with a README: its name, its error section (undefined when it has
 * none), the codes it documents and the codes its sources use that no package documents.
 */
export function readCatalogue(packagesFolder) {
  const packages = readdirSync(packagesFolder)
    .map((name) => join(packagesFolder, name))
    .filter((folder) => existsSync(join(folder, 'package.json')))
    .map((folder) => {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      const readmePath = join(folder, 'README.md');
      const section = existsSync(readmePath) ? errorSection(readFileSync(readmePath, 'utf8')) : undefined;
      return { name: manifest.name, private: manifest.private === true, folder, section, documented: section ? documentedCodes(section) : new Set() };
    })
    .filter((entry) => !entry.private);
  const everyDocumented = new Set(packages.flatMap((entry) => [...entry.documented]));
  return packages.map((entry) => ({
    ...entry,
    undocumented: [...thrownCodes(entry.folder)].filter((code) => !everyDocumented.has(code)).sort(),
  }));
}
