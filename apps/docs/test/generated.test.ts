// The generated parts of the site, checked against their sources: the capability matrix
// against each backend's declared capabilities, the error catalogue against the codes the
// packages throw and core's code list, the benchmark page against the results format.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backends } from 'mmapkit';
import { describe, expect, it } from 'vitest';
import { chart, guideFragment, parseGoal, readResults } from '../scripts/benchmarks.mjs';
import { capabilityTable, cell } from '../scripts/capabilities.mjs';
import { documentedCodes, errorSection, readCatalogue } from '../scripts/catalogue.mjs';

const site = join(dirname(fileURLToPath(import.meta.url)), '..');
const repository = join(site, '..', '..');

describe('the capability matrix', () => {
  const reports = backends().filter((report) => report.available);
  const table = capabilityTable(reports);
  const rows = new Map(table.split('\n').slice(2).map((row) => {
    const cells = row.split(' | ').map((text) => text.replace(/^\| |\s*\|$/g, '').trim());
    return [cells[0]!.replace(/`/g, ''), cells.slice(1)] as const;
  }));

  it('has one column per backend that loads here, and native-napi is one of them', () => {
    expect(table.split('\n')[0]).toContain('`native-napi`');
    expect(table.split('\n')[0]!.split(' | ')).toHaveLength(reports.length + 1);
  });

  it('shows every declared capability of every backend with its declared value', () => {
    for (const [index, report] of reports.entries()) {
      for (const [name, value] of Object.entries(report.backend!.capabilities)) {
        expect(rows.get(name)?.[index], `${report.name}.${name}`).toBe(cell(value));
      }
    }
  });

  // The site is built once, with the machine's Node; CI then runs this suite on other Node
  // versions, where some capabilities differ (ffi-koffi detaches views on Node 22+, views are
  // larger). There the page must still name the same backends, and say which Node it describes.
  it('is what the built site shows (the same table on the Node that built it)', () => {
    const page = readFileSync(join(site, 'docs', 'generated', 'capabilities.md'), 'utf8');
    const builtWith = /Node (\d+)\.\d+\.\d+/.exec(page)?.[1];
    expect(builtWith).toBeDefined();
    if (builtWith === process.versions.node.split('.')[0]) expect(page).toContain(table);
    else expect(page).toContain(table.split('\n')[0]);
  });
});

describe('the error catalogue', () => {
  const catalogue = readCatalogue(join(repository, 'packages'));

  it('documents every code a package throws', () => {
    const undocumented = catalogue.flatMap((entry) => entry.undocumented.map((code: string) => `${entry.name}: ${code}`));
    expect(undocumented).toEqual([]);
  });

  it("documents every code of core's MmapErrorCode union", () => {
    const source = readFileSync(join(repository, 'packages', 'core', 'src', 'errors.ts'), 'utf8');
    const union = /export type MmapErrorCode =([^;]+);/.exec(source)![1]!;
    const codes = [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((match) => match[1]);
    const core = catalogue.find((entry) => entry.name === '@mmapkit/core')!;
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((code) => !core.documented.has(code!))).toEqual([]);
  });

  it('reads the bullets of an "Error codes" section and nothing after the next section', () => {
    const section = errorSection('# x\n\n## Error codes\n\n- **`ERR_A`**: one.\n- **`ERR_B`** (`RangeError`): two.\n\n## Next\n\n- **`ERR_C`**: no.\n')!;
    expect([...documentedCodes(section)]).toEqual(['ERR_A', 'ERR_B']);
  });
});

describe('the benchmark page', () => {
  it('reads goals in both directions', () => {
    expect(parseGoal('≥ 4x')).toEqual({ direction: 1, value: 4 });
    expect(parseGoal('≤ 1.2x')).toEqual({ direction: -1, value: 1.2 });
    expect(parseGoal('< 16 MiB')).toEqual({ direction: -1, value: 16 });
  });

  it('draws one bar per target, red for a target not met', () => {
    const svg = chart([
      { issue: 1, target: 'fast', goal: '≥ 2x', measured: 3, pass: true },
      { issue: 1, target: 'slow', goal: '≥ 2x', measured: 1, pass: false },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('#e03131');
    expect(svg).toContain('#2f9e44');
  });

  it('parses every committed results line', () => {
    const { targets } = readResults(join(repository, 'bench', 'results'));
    for (const target of targets) {
      expect(typeof target.target).toBe('string');
      expect(typeof target.pass).toBe('boolean');
      expect(Number.isFinite(target.measured)).toBe(true);
    }
  });

  it('says so when a guide has no results instead of an empty table', () => {
    expect(guideFragment({ targets: [], meta: [] }, 'arena')).toMatch(/No benchmark results/);
  });
});
