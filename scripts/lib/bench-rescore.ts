import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, pick, rng } from './generate-petitions.js';

const bin = fileURLToPath(new URL('../../bin/sito.js', import.meta.url));

/** Runs `sito score` in its own process, output to /dev/null; wall seconds and peak RSS (from /usr/bin/time when present). */
function timeScore(file: string, dataDir: string, args: string[]): Promise<{ seconds: number; status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'score', file, ...args], { env: { ...process.env, SITO_DATA_DIR: dataDir, SITO_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (status) => resolve({ seconds: (Date.now() - started) / 1000, status, stderr }));
  });
}

/**
 * `npm run bench -- rescore [--petitions=N]`: N generated petitions (residents' letters and copies
 * of 400 campaign templates with per-office edits) are stored with `sito score` (the import), then
 * scored again as after a model change, `--no-store`, on one thread and on every core: petitions/s.
 */
export async function benchRescore(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-rescore-'));
  const file = join(dir, 'petitions.jsonl');
  const out = createWriteStream(file);
  const r = rng(20261204);
  const templates = Array.from({ length: 400 }, () => makeTemplate(r));
  for (let i = 0; i < n; i++) {
    const text = r() < 0.6 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), i % templates.length);
    if (!out.write(`${JSON.stringify({ id: `r-${i}`, text })}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
  }
  out.end();
  await new Promise<void>((res) => out.once('finish', () => res()));
  const cores = availableParallelism();
  const rows: Array<Array<string | number>> = [];
  const step = async (label: string, args: string[]) => {
    process.stderr.write(`rescore: ${label}…\n`);
    const t = await timeScore(file, join(dir, 'data'), args);
    if (t.status !== 0) throw new Error(`sito score ${args.join(' ')} failed: ${t.stderr}`);
    rows.push([label, n, t.seconds.toFixed(1), Math.round(n / t.seconds)]);
  };
  await step(`store (import), --jobs ${cores}`, ['--jobs', String(cores)]);
  await step('rescore --no-store, --jobs 1', ['--no-store', '--jobs', '1']);
  await step(`rescore --no-store, --jobs ${cores}`, ['--no-store', '--jobs', String(cores)]);
  console.log(`\nsito score over ${n} generated petitions (${(statSync(file).size / 1e6).toFixed(0)} MB of JSON lines), the store holding them; ${cores} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
  console.log(table(['run', 'petitions', 'seconds', 'petitions/s'], rows));
  rmSync(dir, { recursive: true, force: true });
}
