import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackend, map } from '../src/index.js';
import { cliPath, runCli, runNode } from './helpers.js';

const pidLine = /^PID (\d+): {2}(anonymous string \d), (zero-backed string \d)$/;

describe('mmapkit demo', () => {
  it.each(['native-napi', 'ffi-koffi', 'fallback-fs'])(
    'with %s, parent and child both print both rounds with the same strings, then demand paging and the backend',
    async (backend) => {
      const result = await runCli(['demo', '--backend', backend]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n').filter((line) => pidLine.test(line));
      expect(lines).toHaveLength(4);
      const parsed = lines.map((line) => pidLine.exec(line)!.slice(1));
      const [parentFirst, childFirst, childSecond, parentSecond] = parsed as [string[], string[], string[], string[]];
      expect(parentFirst[0]).not.toBe(childFirst[0]);
      expect(childSecond[0]).toBe(childFirst[0]);
      expect(parentSecond[0]).toBe(parentFirst[0]);
      expect(parentFirst.slice(1)).toEqual(['anonymous string 1', 'zero-backed string 1']);
      expect(childFirst.slice(1)).toEqual(parentFirst.slice(1));
      expect(childSecond.slice(1)).toEqual(['anonymous string 2', 'zero-backed string 2']);
      expect(parentSecond.slice(1)).toEqual(childSecond.slice(1));
      expect(result.stdout).toMatch(/Demand paging: a sparse 8\.0 GiB file/);
      expect(result.stdout).toMatch(/pages of the mapping in memory: +64 of 2097152/);
      if (backend !== 'fallback-fs') expect(result.stdout).toMatch(/RSS of the mapping itself: +256\.0 KiB/);
      expect(result.stdout).toContain(`chosen: ${backend} (requested with --backend)`);
    },
    30_000,
  );

  it('without --backend it says which backend was chosen and why', async () => {
    const result = await runCli(['demo'], { MMAPKIT_BACKEND: undefined });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('chosen: native-napi (the first choice, and it works here)');
  }, 30_000);
});

describe('mmapkit info', () => {
  it('--json lists every backend with its capabilities and the runtime limits', async () => {
    const result = await runCli(['info', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { pageSize: number; largestView: number; backends: Array<{ name: string; available: boolean; capabilities: { zeroCopy: boolean } | null }> };
    expect(report.pageSize).toBe(loadBackend('native-napi').pageSize);
    expect(report.largestView).toBeGreaterThanOrEqual(2 ** 32);
    expect(report.backends.map((entry) => entry.name)).toEqual(['native-napi', 'ffi-koffi', 'fallback-fs']);
    expect(report.backends.find((entry) => entry.name === 'fallback-fs')?.capabilities?.zeroCopy).toBe(false);
  });

  it('prints a capabilities table for people', async () => {
    const result = await runCli(['info']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^capability +native-napi +ffi-koffi +fallback-fs$/m);
    expect(result.stdout).toMatch(/^zeroCopy +yes +yes +no$/m);
  });
});

describe('mmapkit errors', () => {
  it('--help prints the usage and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: mmapkit <command>/);
  });

  it.each(['demo', 'info', 'residency', 'touch', 'evict'])('%s --help, -h and `help <command>` print that command\'s usage, exit 0 and do nothing else', async (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(new RegExp(`^Usage: mmapkit ${command} `));
      expect(result.stderr, args.join(' ')).toBe('');
    }
  });

  it('an unknown command is a usage error (exit 2), not a stack trace', async () => {
    const result = await runCli(['explode']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^mmapkit: unknown command 'explode'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file is one line naming it (exit 1), not a stack trace', async () => {
    const result = await runCli(['residency', '/nonexistent/file.bin']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^mmapkit: .*ENOENT.*\/nonexistent\/file\.bin/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown --backend is a usage error naming the option', async () => {
    const result = await runCli(['info', '--backend', 'bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/options\.backend/);
  });

  it('a command that needs files says so', async () => {
    const result = await runCli(['touch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/touch needs at least one FILE/);
  });
});

describe('mmapkit residency, touch and evict', () => {
  let folder: string;
  let path: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'mmapkit-cli-'));
    path = join(folder, 'data.bin');
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024, 7));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Residency measured independently of the CLI: mincore through the FFI backend. */
  function residentPages(): number {
    using mapping = map(path, { backend: 'ffi-koffi' });
    return mapping.residency().resident;
  }

  it('evict drops a file from the page cache and touch loads it back; residency agrees with mincore', async () => {
    const pages = (8 * 1024 * 1024) / 4096;
    const evicted = await runCli(['evict', path]);
    expect(evicted.code).toBe(0);
    expect(residentPages()).toBeLessThan(pages / 10);
    const cold = await runCli(['residency', '--json', path]);
    expect(JSON.parse(cold.stdout)).toEqual([{ path, size: 8 * 1024 * 1024, pageSize: 4096, pages, resident: residentPages() }]);
    const touched = await runCli(['touch', path]);
    expect(touched.code).toBe(0);
    expect(touched.stderr).toMatch(/touch .*data\.bin: 8\.0 MiB loaded in/);
    // The kernel may reclaim a few pages at any moment under memory pressure: "nearly all".
    expect(residentPages()).toBeGreaterThanOrEqual(pages * 0.9);
    const warm = await runCli(['residency', path]);
    const shown = /\[(#*)\.*\] +([\d.]+)% {2}(\d+)\/2048 pages/.exec(warm.stdout);
    expect(shown).not.toBeNull();
    expect(Number(shown![3])).toBeGreaterThanOrEqual(pages * 0.9);
    expect(shown![1]!.length).toBe(Math.round((Number(shown![3]) / pages) * 30));
  }, 30_000);

  it('residency --backend fallback-fs reports the page cache through a backend that can see it, never its own copy', async () => {
    const touched = await runCli(['touch', path]);
    expect(touched.code).toBe(0);
    const result = await runCli(['residency', '--json', '--backend', 'fallback-fs', path]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/the fallback-fs backend cannot see the page cache; measuring through (native-napi|ffi-koffi) \(mincore\)/);
    const [reported] = JSON.parse(result.stdout) as Array<{ resident: number; pages: number }>;
    expect(reported!.pages).toBe(2048);
    // The file was just loaded: the fs backend's own copy would say 0 resident pages.
    expect(reported!.resident).toBeGreaterThanOrEqual(2048 * 0.9);
    expect(Math.abs(reported!.resident - residentPages())).toBeLessThanOrEqual(2048 * 0.1);
  }, 30_000);

  it('residency --backend fallback-fs where no backend can see the page cache is ERR_MMAP_UNSUPPORTED (exit 1), not a wrong number', async () => {
    const result = await runNode(['--no-addons', cliPath, 'residency', '--backend', 'fallback-fs', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^mmapkit: the fallback-fs backend keeps its own copy of a file and cannot see the page cache, and no backend that can loads here/);
  });

  it('evict with a backend that cannot page out says which backends can (exit 1)', async () => {
    const result = await runCli(['evict', '--backend', 'fallback-fs', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The fallback-fs backend does not support evicting pages \(try --backend native-napi or --backend ffi-koffi\)/);
  });
});

describe('progress on a terminal', () => {
  // `script` (util-linux) runs the command under a pseudo-terminal, as a person would see it.
  const hasScript = existsSync('/usr/bin/script');

  it.skipIf(!hasScript)('touch draws a progress bar that ends at 100% and is cleared for the summary line', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mmapkit-pty-'));
    try {
      const path = join(folder, 'big.bin');
      writeFileSync(path, Buffer.alloc(200 * 1024 * 1024, 1));
      const result = await runNode(['-e', `require('child_process').execFileSync('/usr/bin/script', ['-qec', ${JSON.stringify(`${process.execPath} ${cliPath} touch ${path}`)}, '/dev/null'], { stdio: 'inherit' })`]);
      expect(result.code).toBe(0);
      const frames = result.stdout.split('\r').filter((frame) => frame.startsWith('['));
      expect(frames.length).toBeGreaterThan(0);
      const shown = frames.map((frame) => Number(/\] +([\d.]+)%/.exec(frame)?.[1]));
      for (const percentShown of shown) {
        expect(percentShown).toBeGreaterThanOrEqual(0);
        expect(percentShown).toBeLessThanOrEqual(100);
      }
      // Never backwards, and the last frame drawn before the summary is exactly 100%, full bar.
      expect(shown).toEqual([...shown].sort((left, right) => left - right));
      expect(shown.at(-1)).toBe(100);
      expect(frames.at(-1)).toMatch(/^\[#{30}\] 100\.0% /);
      expect(result.stdout).toContain('\x1b[K');
      expect(result.stdout).toMatch(/touch .*big\.bin: 200\.0 MiB loaded in/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 30_000);
});
