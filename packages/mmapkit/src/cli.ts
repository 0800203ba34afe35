#!/usr/bin/env node
/**
 * The `mmapkit` command-line tool: `demo`, `info`, `residency`, `touch`, `evict`.
 * Errors are one line on stderr and an exit code (1 for a failure, 2 for a usage mistake);
 * never a stack trace for something the user did.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isArgumentError, isMmapError, type Backend } from '@mmapkit/core';
import { chooseBackend, type BackendName } from './backends.js';
import { demo, demoChild } from './commands/demo.js';
import { evict, residency, touch } from './commands/files.js';
import { info } from './commands/info.js';
import { defaultBackend } from './map.js';

const usage = `Usage: mmapkit <command> [options]

Commands:
  demo                 two processes sharing memory, demand paging, and the backend chosen
  info                 backends available here and why, page size, largest view, capabilities
  residency FILE...    how much of each file is in the page cache
  touch FILE...        load files into the page cache
  evict FILE...        drop files from the page cache

Options:
  --backend NAME       native-napi, ffi-koffi or fallback-fs (default: MMAPKIT_BACKEND, else the first that works)
  --json               print data as JSON (info, residency)
  -h, --help           show this help (mmapkit COMMAND --help: that command's)
`;

/** What `mmapkit <command> --help` prints. */
const commandHelp: Readonly<Record<string, string>> = {
  demo: `Usage: mmapkit demo [--backend NAME]

Two processes share anonymous and file-backed memory; shows demand paging and which
backend was chosen and why.
`,
  info: `Usage: mmapkit info [--json]

The backends available here (and why the others are not), the page size, the largest
view and each backend's capabilities.
`,
  residency: `Usage: mmapkit residency [--backend NAME] [--json] FILE...

How much of each file is in the operating system's page cache (mincore). A backend that
keeps its own copy of the file (fallback-fs) cannot see the page cache: another backend
that loads measures it, or the command fails with ERR_MMAP_UNSUPPORTED.
`,
  touch: `Usage: mmapkit touch [--backend NAME] FILE...

Loads each file into the page cache by reading every page through a mapping.
`,
  evict: `Usage: mmapkit evict [--backend NAME] FILE...

Drops each file's pages from the page cache (MADV_PAGEOUT); needs a backend that can page
out (native-napi or ffi-koffi).
`,
};

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [command, ...rest] = parsed.positionals;
  const helpTopic = command === 'help' ? rest[0] : command;
  if ((parsed.values.help || command === 'help') && helpTopic !== undefined && commandHelp[helpTopic] !== undefined) {
    process.stdout.write(commandHelp[helpTopic]);
    return;
  }
  if (parsed.values.help || command === undefined || command === 'help') {
    process.stdout.write(usage);
    if (command === undefined && !parsed.values.help) process.exitCode = 2;
    return;
  }
  const backend: Backend | undefined = parsed.values.backend === undefined ? undefined : chooseBackend({ backend: parsed.values.backend as BackendName }).backend;
  const needFiles = (): string[] => {
    if (rest.length === 0) throw new UsageError(`${command} needs at least one FILE`);
    return rest;
  };
  switch (command) {
    case 'demo':
      await demo(fileURLToPath(import.meta.url), backend);
      return;
    case '__demo-child':
      demoChild(rest[0] ?? '', backend ?? defaultBackend().backend);
      return;
    case 'info':
      info(parsed.values.json);
      return;
    case 'residency':
      residency(needFiles(), backend ?? defaultBackend().backend, parsed.values.json);
      return;
    case 'touch':
      await touch(needFiles(), backend ?? defaultBackend().backend);
      return;
    case 'evict':
      evict(needFiles(), backend ?? defaultBackend().backend);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || isArgumentError(error)) {
    process.stderr.write(`mmapkit: ${error.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (isMmapError(error)) {
    process.stderr.write(`mmapkit: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('E')) {
    process.stderr.write(`mmapkit: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`mmapkit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
