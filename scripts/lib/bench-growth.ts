import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, pick, rng } from './generate-petitions.js';
import { fillThroughPipeline } from './growth-fill.js';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const timed = (n: number, f: (i: number) => unknown) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    f(i);
    out.push(ms(t0));
  }
  return out;
};
const timedAsync = async (n: number, f: (i: number) => Promise<unknown>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f(i);
    out.push(ms(t0));
  }
  return out;
};
const p50p99 = (xs: number[]) => `${percentile(xs, 50).toFixed(2)} / ${percentile(xs, 99).toFixed(2)}`;

/**
 * Growth: fills one store to each size in turn and at each size measures, in-process:
 * - scoring a new petition with store=false (the look-ups a stored one makes) and with store=true
 *   (stored into the same store, its own transaction, as a request does; these few are counted in
 *   the store's size from then on);
 * - full-text search (GET /v1/petitions?q= as the store runs it, total included), an inbox page
 *   filtered by level, the campaigns page by size, and — for comparison — the substring LIKE scan
 *   that search used before;
 * - the database's size and the process's RSS.
 * The fill is the pipeline's own (scripts/lib/growth-fill.ts): analyses in worker threads, one
 * writer scoring through the engine in order, 500 petitions per write transaction.
 *   npm run bench -- growth [--sizes=10000,100000]      (1 M: --sizes=10000,100000,1000000)
 *   npm run bench -- growth --data-dir=DIR --sizes=N       goes on with (or only measures) a store
 *                                                       this benchmark filled before
 */
export async function benchGrowth(sizes: number[], storeDir?: string) {
  const config = loadConfig();
  const dir = storeDir ?? mkdtempSync(join(tmpdir(), 'sito-growth-'));
  const store = SqliteStore.open(dir);
  const engine = new Engine({ rules: loadRules(config.rulesFile), thresholds: config.thresholds, store });
  const r = rng(20261204);
  const templates = Array.from({ length: 400 }, () => makeTemplate(r));
  const next = (i: number) => (r() < 0.6 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), i % templates.length));
  const rows: Array<Array<string | number>> = [];
  const fills: Array<Array<string | number>> = [];
  // a store filled before (--data-dir=DIR) goes on from its size; the generator skips what it made
  let generated = (store.sync.connection.prepare("SELECT COUNT(*) AS n FROM petitions WHERE id GLOB 'g-*'").get() as { n: number }).n;
  for (let i = 0; i < generated; i++) next(i);
  const tty = process.stderr.isTTY;
  const fillStart = process.hrtime.bigint();
  console.error(`growth: store in ${dir}; ${availableParallelism()} cores, load average ${load()}`);
  for (const size of sizes) {
    const from = store.sync.stats().petitions;
    const count = Math.max(0, size - from);
    const stageStart = process.hrtime.bigint();
    const loadBefore = load();
    const first = generated;
    let shown = 0;
    await fillThroughPipeline(
      engine,
      store,
      { count, at: (i) => ({ id: `g-${first + i}`, text: next(first + i), store: true }) },
      {
        rulesFile: config.rulesFile,
        progress: (n) => {
          if (n - shown < 10_000 && n !== count) return;
          shown = n;
          const s = ms(stageStart) / 1000;
          const line = `  stored ${from + n} (${Math.round(s)} s, ${Math.round(n / s)}/s, load ${load()})`;
          if (tty) process.stderr.write(`${line}\r`);
          else if (n % 100_000 === 0 || n === count) console.error(line);
        },
      },
    );
    generated += count;
    const fillSeconds = ms(stageStart) / 1000;
    if (tty) process.stderr.write('\n');
    if (count > 0) fills.push([`${from} → ${size}`, count, Math.round(fillSeconds), Math.round(count / Math.max(fillSeconds, 1e-3)), loadBefore, load()]);

    const probe = rng(size);
    const probeText = (i: number) => (probe() < 0.5 ? makeLocal(probe) : makeVariant(probe, pick(probe, templates), new Set(EDITS), i));
    const scoreMs = await timedAsync(300, (i) => engine.score({ text: probeText(i), store: false }));
    const texts = Array.from({ length: 100 }, (_, i) => probeText(i));
    const stored = store.sync.stats().petitions;
    const storeMs = await timedAsync(100, (i) => engine.score({ id: `probe-${stored}-${i}`, text: texts[i]!, store: true }));
    const words = ['chodnika', 'oswietlenia', 'Łask', 'fotowoltaiki', 'kanalizacji', 'przystanku', 'Kowalska', 'boiska', 'petycji', 'gmina'];
    const searchMs = timed(200, (i) => store.sync.listPetitions({ q: words[i % words.length]!, limit: 50, offset: 0 }));
    const levels = ['high', 'review', 'low'] as const;
    const inboxMs = timed(30, (i) => store.sync.listPetitions({ level: levels[i % 3], limit: 50, offset: 0 }));
    const campaignsMs = timed(30, () => store.sync.listCampaigns('size', 50, 0));
    const db = store.sync.connection;
    const likeMs = timed(size >= 1_000_000 ? 3 : 5, (i) => db.prepare("SELECT COUNT(*) FROM petitions WHERE text LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\'").get(`%${words[i]}%`, `%${words[i]}%`));
    rows.push([
      stored,
      p50p99(scoreMs),
      p50p99(storeMs),
      p50p99(searchMs),
      p50p99(inboxMs),
      p50p99(campaignsMs),
      percentile(likeMs, 50).toFixed(0),
      `${Math.round(store.sync.stats().bytes / 1e6)} MB`,
      `${Math.round(process.memoryUsage().rss / 1e6)} MB`,
      load(),
    ]);
    console.error(`  ${size}: ${rows.at(-1)!.join(' | ')}`);
  }
  const campaigns = store.sync.listCampaigns('size', 1, 0);
  const petitions = store.sync.stats().petitions;
  await store.close();
  console.log(`\nGrowth: one SQLite store filled through the pipeline to each size (${(ms(fillStart) / 1000).toFixed(0)} s in all; ${petitions} petitions, ${campaigns.total} campaigns, the largest ${campaigns.items[0]?.size ?? 0}); measured in-process`);
  console.log(table(['filled', 'petitions', 'seconds', 'petitions/s', 'load before', 'load after'], fills));
  console.log(
    table(
      ['petitions', 'score p50/p99 ms (store=false)', 'score p50/p99 ms (store=true)', 'search p50/p99 ms', 'inbox by level p50/p99 ms', 'campaigns page p50/p99 ms', 'old LIKE scan p50 ms', 'database', 'RSS', 'load'],
      rows,
    ),
  );
}
