#!/usr/bin/env node
// The `mmapkit` command. The CLI itself is built into ../dist/cli.js; this small file is
// committed so that npm can link the command before the first build (in the monorepo,
// `npm install` links bins before anything is built) and can say what is missing.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('mmapkit: the command-line tool is not built yet (no dist/cli.js): run `npm run build` first.\n');
  process.exit(1);
}
await import(cli.href);
