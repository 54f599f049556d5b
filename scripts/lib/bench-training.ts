import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify';
import { generateCorpus } from '../corpus/generate-corpus.js';

const bin = fileURLToPath(new URL('../../bin/sito.js', import.meta.url));

/**
 * Writes an N-row labelled CSV (the corpus generator with one seed per 506 rows), then times
 * `sito train` on it in its own process: wall time and the peak memory its model card records.
 */
export async function benchTraining(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-train-bench-'));
  const file = join(dir, 'big.csv');
  const out = stringify({ header: true, columns: ['id', 'label', 'family', 'text'] });
  const done = new Promise<void>((resolve) => out.pipe(createWriteStream(file)).on('finish', () => resolve()));
  let written = 0;
  for (let seed = 1; written < rows; seed++) {
    for (const r of generateCorpus(seed)) {
      if (written >= rows) break;
      if (!out.write({ ...r, id: `${r.id}-s${seed}` })) await new Promise((res) => out.once('drain', res));
      written++;
    }
  }
  out.end();
  await done;
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, 'train', file, '--folds', '5'], { env: { ...process.env, SITO_DATA_DIR: dir }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (Date.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`training failed: ${r.stderr}`);
  const summary = r.stdout.split('\n').slice(0, 2).join('\n');
  console.log(`\nTraining on ${written} rows (${(statSync(file).size / 1e6).toFixed(0)} MB CSV, streamed), sito train in its own process: ${seconds.toFixed(0)} s wall time`);
  console.log(summary);
  rmSync(dir, { recursive: true, force: true });
}
