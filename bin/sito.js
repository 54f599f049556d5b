#!/usr/bin/env node
// The `sito` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('sito: dist/ is missing — run `npm install` (or `npm run build`) first\n');
  process.exit(1);
}
const { run } = await import(main);
process.exitCode = await run(process.argv);
