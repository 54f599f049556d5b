import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, pick, rng } from './generate-petitions.js';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * Growth: fills one store through the real pipeline (normalise → fingerprint → LSH → insert,
 * full-text index included) to each size in turn, and at each size measures, in-process:
 * scoring a new petition (store=false: the look-ups a stored one makes, without growing the store),
 * full-text search (GET /v1/petitions?q= as the store runs it, total included), and — for
 * comparison — the substring LIKE scan that search used before.
 *   npm run bench -- growth [--sizes=10000,100000]      (1 M: --sizes=10000,100000,1000000)
 */
export async function benchGrowth(sizes: number[]) {
  const config = loadConfig();
  const dir = mkdtempSync(join(tmpdir(), 'sito-growth-'));
  const store = SqliteStore.open(dir);
  const engine = new Engine({ rules: loadRules(config.rulesFile), thresholds: config.thresholds, store });
  const r = rng(20261204);
  const templates = Array.from({ length: 400 }, () => makeTemplate(r));
  const next = (i: number) => (r() < 0.6 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), i % templates.length));
  const rows: Array<Array<string | number>> = [];
  let stored = 0;
  const fillStart = process.hrtime.bigint();
  for (const size of sizes) {
    while (stored < size) {
      await engine.score({ id: `g-${stored}`, text: next(stored), store: true });
      stored++;
      if (stored % 10_000 === 0) process.stderr.write(`  stored ${stored} (${Math.round(ms(fillStart) / 1000)} s)\n`);
    }
    const probe = rng(size);
    const scoreMs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const text = probe() < 0.5 ? makeLocal(probe) : makeVariant(probe, pick(probe, templates), new Set(EDITS), i);
      const t0 = process.hrtime.bigint();
      await engine.score({ text, store: false });
      scoreMs.push(ms(t0));
    }
    const words = ['chodnika', 'oswietlenia', 'Łask', 'fotowoltaiki', 'kanalizacji', 'przystanku', 'Kowalska', 'boiska', 'petycji', 'gmina'];
    const searchMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = process.hrtime.bigint();
      store.sync.listPetitions({ q: words[i % words.length]!, limit: 50, offset: 0 });
      searchMs.push(ms(t0));
    }
    const db = store.sync.connection;
    const likeMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      db.prepare("SELECT COUNT(*) FROM petitions WHERE text LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\'").get(`%${words[i]}%`, `%${words[i]}%`);
      likeMs.push(ms(t0));
    }
    rows.push([size, percentile(scoreMs, 50).toFixed(2), percentile(scoreMs, 99).toFixed(2), percentile(searchMs, 50).toFixed(2), percentile(searchMs, 99).toFixed(2), percentile(likeMs, 50).toFixed(1), `${Math.round(store.sync.stats().bytes / 1e6)} MB`]);
  }
  await store.close();
  console.log(`\nGrowth: one SQLite store filled through the pipeline to each size (${(ms(fillStart) / 1000).toFixed(0)} s in all); in-process, one core`);
  console.log(table(['petitions', 'score p50 ms', 'score p99 ms', 'search p50 ms', 'search p99 ms', 'old LIKE scan p50 ms', 'database'], rows));
}
