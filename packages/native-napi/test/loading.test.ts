/**
 * Which addon file the package loads: the one compiled here (build/Release) first, then the
 * prebuilt binary for this platform (prebuilds/<platform>-<arch>/), else
 * ERR_MMAP_BACKEND_UNAVAILABLE with the reason. Each case imports a copy of the package (dist/
 * and scripts/ with or without each file) in its own Node process.
 */
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureReport, runFixture } from './helpers.js';

interface AddonLocation {
  readonly packageRoot: string;
  readonly builtPath: string;
  prebuildPath(): string;
}
const location = createRequire(import.meta.url)('../scripts/addon-location.cjs') as AddonLocation;
/** Where the prebuild of this platform goes, relative to the package folder. */
const prebuildInPackage = relative(location.packageRoot, location.prebuildPath());
const builtInPackage = relative(location.packageRoot, location.builtPath);

interface ImportReport {
  readonly code: string;
  readonly message?: string;
  readonly origin?: string;
}

let copies: string[] = [];
afterEach(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  copies = [];
});

/**
 * A copy of the package (dist/ and scripts/) under test/fixtures/, so that its imports resolve
 * through the repository's node_modules, with the given files written into it.
 */
function packageCopy(files: Readonly<Record<string, string | Uint8Array | { readonly copyOf: string }>>): string {
  const copy = fileURLToPath(new URL(`./fixtures/.copy-${process.pid}-${copies.length}/`, import.meta.url));
  copies.push(copy);
  for (const folder of ['dist', 'scripts'])
    cpSync(join(location.packageRoot, folder), join(copy, folder), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    if (typeof content === 'object' && 'copyOf' in content) copyFileSync(content.copyOf, join(copy, path));
    else writeFileSync(join(copy, path), content);
  }
  return copy;
}

async function importCopy(copy: string): Promise<ImportReport> {
  return fixtureReport<ImportReport>(
    await runFixture('import-report.mjs', [pathToFileURL(join(copy, 'dist', 'index.js')).href]),
  );
}

describe('loading the addon', () => {
  it('with only the prebuilt binary (an install that compiled nothing), the package loads it and backend.origin says so', async () => {
    const copy = packageCopy({ [prebuildInPackage]: { copyOf: location.builtPath } });
    const report = await importCopy(copy);
    expect(report).toEqual({ code: 'no error', origin: `prebuild: ${join(copy, prebuildInPackage)}` });
  }, 20_000);

  it('with both, the addon compiled here wins over the prebuilt binary', async () => {
    const copy = packageCopy({
      [prebuildInPackage]: { copyOf: location.builtPath },
      [builtInPackage]: { copyOf: location.builtPath },
    });
    const report = await importCopy(copy);
    expect(report).toEqual({ code: 'no error', origin: `build: ${join(copy, builtInPackage)}` });
  }, 20_000);

  it('when the compiled addon does not load (not a shared object), the prebuilt binary is used instead', async () => {
    const copy = packageCopy({
      [prebuildInPackage]: { copyOf: location.builtPath },
      [builtInPackage]: 'not an ELF file',
    });
    const report = await importCopy(copy);
    expect(report.origin).toBe(`prebuild: ${join(copy, prebuildInPackage)}`);
  }, 20_000);

  it('when neither file loads, importing throws ERR_MMAP_BACKEND_UNAVAILABLE naming both files and why', async () => {
    const copy = packageCopy({ [prebuildInPackage]: 'truncated download', [builtInPackage]: 'not an ELF file' });
    const report = await importCopy(copy);
    expect(report.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
    expect(report.message).toContain(`${join(copy, builtInPackage)} could not be loaded`);
    expect(report.message).toContain(`${join(copy, prebuildInPackage)} could not be loaded`);
  }, 20_000);

  it("when the install could not build the addon and no prebuild matches, importing throws ERR_MMAP_BACKEND_UNAVAILABLE with the install script's explanation", async () => {
    const explanation =
      'the native addon was not built: no prebuilt binary for linux-x64, and it cannot be compiled here: missing from PATH: make';
    const copy = packageCopy({ 'build/install-failure.txt': `${explanation}\n` });
    const report = await importCopy(copy);
    expect(report.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
    expect(report.message).toContain(explanation);
  }, 20_000);

  it('with no addon file and no explanation, importing throws ERR_MMAP_BACKEND_UNAVAILABLE naming the files looked for and how to build', async () => {
    const copy = packageCopy({});
    const report = await importCopy(copy);
    expect(report.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
    expect(report.message).toContain(`${join(copy, builtInPackage)} does not exist`);
    expect(report.message).toContain(
      `no prebuilt binary for ${process.platform}-${process.arch} (${join(copy, prebuildInPackage)})`,
    );
    expect(report.message).toContain('npm run build:native');
  }, 20_000);
});
