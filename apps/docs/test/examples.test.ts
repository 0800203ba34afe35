// Every TypeScript example on the site lives in examples/ and is pulled into a page with
// VitePress's `<<< @/../examples/NAME.ts`; this file runs each one (they state what they show
// with node:assert, so a wrong example fails) and checks that no page carries an example of
// its own that would escape the run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const site = join(dirname(fileURLToPath(import.meta.url)), '..');
const pagesFolder = join(site, 'docs');
const examplesFolder = join(site, 'examples');
const generatedFolders = new Set(['api', 'generated', '.vitepress', 'public']);

/** The hand-written Markdown pages (generated ones are checked by their own tests). */
function pages(folder = pagesFolder): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return folder === pagesFolder && generatedFolders.has(name) ? [] : pages(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const examples = readdirSync(examplesFolder).filter((name) => name.endsWith('.ts')).sort();
const snippetPattern = /^<<< @\/\.\.\/examples\/([\w.-]+\.ts)\s*$/gm;
const included = new Set(pages().flatMap((page) => [...readFileSync(page, 'utf8').matchAll(snippetPattern)].map((match) => match[1]!)));

describe('the examples on the site', () => {
  it.each(examples)('%s runs to the end and its assertions hold', async (name) => {
    await expect(import(pathToFileURL(join(examplesFolder, name)).href)).resolves.toBeDefined();
  });

  it.each(examples)('%s is shown on a page', (name) => {
    expect(included.has(name)).toBe(true);
  });

  it('every snippet a page includes exists', () => {
    const missing = [...included].filter((name) => !existsSync(join(examplesFolder, name)));
    expect(missing).toEqual([]);
  });

  it('no hand-written page has an inline TypeScript or JavaScript example (it would not be run)', () => {
    const inline = pages().filter((page) => /^```(ts|typescript|js|javascript|mjs|cjs)\b/m.test(readFileSync(page, 'utf8')));
    expect(inline.map((page) => relative(site, page))).toEqual([]);
  });
});
