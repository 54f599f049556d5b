/**
 * The mass track at N stored petitions (generated: templates and unrelated ones, through the
 * pipeline): the inbox ordered by deadline and filtered to overdue ones, the formal check, naming
 * campaigns against the stored corpus, the register and the yearly summary, the start page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { characteristicWords, corpusOf } from '../../src/track/campaign-names.js';
import { addDays, warsawDate } from '../../src/track/deadlines.js';
import { checkFormal } from '../../src/track/formal.js';
import { listByDeadline } from '../../src/track/petition-track.js';
import { registerFor, summaryFor } from '../../src/track/register-export.js';
import { table } from './corpus.js';
import { makeLocal, makeTemplate, makeVariant, rng } from './generate-petitions.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => unknown, rounds: number): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ms);
}

export async function benchTrack(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-bench-track-'));
  const store = SqliteStore.open(dir);
  const rules = loadRules();
  const engine = new Engine({ rules, thresholds: { high: 0.8, review: 0.35 }, store });
  const r = rng(14);
  const templates = Array.from({ length: Math.max(1, Math.round(n / 100)) }, () => makeTemplate(r));
  const today = warsawDate(new Date());
  const t0 = process.hrtime.bigint();
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * templates.length);
    const text = r() < 0.4 ? makeLocal(r) : makeVariant(r, templates[t]!, new Set(), t);
    texts.push(text);
    await engine.score({ id: `p${i}`, text, received_at: addDays(today, -Math.floor(r() * 400)), store: true });
  }
  const insertS = Number(process.hrtime.bigint() - t0) / 1e9;
  const ts = store.track;
  const rows: Array<Array<string | number>> = [];
  const page = { limit: 25, offset: 0 };
  rows.push(['inbox by deadline, first page of 25', (await time(() => listByDeadline(ts, page, { order: 'deadline' }), 10)).toFixed(1)]);
  rows.push(['inbox, overdue only', (await time(() => listByDeadline(ts, page, { order: 'deadline', overdue: true }), 10)).toFixed(1)]);
  rows.push(['formal check, one petition (mean)', ((await time(() => texts.slice(0, 1000).forEach((t) => checkFormal({ text: t })), 3)) / 1000).toFixed(3)]);
  const stored = (await ts.corpusTexts(2000)).map((t) => t.text);
  rows.push([
    'naming a page of 25 campaigns against 2 000 stored texts (counting them included)',
    (await time(() => {
      const corpus = corpusOf(stored);
      for (let k = 0; k < 25; k++) characteristicWords(makeVariant(r, templates[k % templates.length]!, new Set(), k), corpus);
    }, 3)).toFixed(0),
  ]);
  rows.push(['register (art. 8), every petition', (await time(() => registerFor(ts), 3)).toFixed(0)]);
  rows.push([`yearly summary (art. 14) for ${today.slice(0, 4)}`, (await time(() => summaryFor(ts, Number(today.slice(0, 4))), 3)).toFixed(0)]);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nThe mass track with ${n} stored petitions (generated; stored through the pipeline in ${insertS.toFixed(1)} s), one core, median ms`);
  console.log(table(['operation', 'ms'], rows));
}
