/**
 * npm run bench -- instances [--duration=S] [--connections=N] [--search-sizes=100000,1000000] [--copy-size=100000]
 *
 * Several Sito instances on one PostgreSQL (a throwaway cluster, loopback):
 *  1. scoring throughput with storage on, one instance against three (`sito serve` processes, each
 *     its own data folder), the same total connections, a mix of new petitions and copies of a
 *     few templates (campaign decisions contend);
 *  2. the campaign transaction (Engine.score with the store: look-up, campaign decision, insert)
 *     timed in-process, alone and with 12 at once from three stores (three pools, as three
 *     instances), on copies of one new template — the worst case, every transaction wants the same
 *     decision — and on distinct petitions;
 *  3. `sito copy` of a SQLite office of --copy-size petitions (with their LSH keys);
 *  4. search latency (GET-style listPetitions with q) at growing sizes, the petitions table filled
 *     in PostgreSQL itself (generate_series, synthetic words) — a fast path, not through scoring.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';
import { copySqliteToPostgres } from '../../src/storage/postgres/copy.js';
import { PostgresStore } from '../../src/storage/postgres/store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, rng } from './generate-petitions.js';
import { serveSito, type ServedSito } from './serve.js';
import { startPostgres } from './throwaway-postgres.js';

export interface InstancesBenchOptions {
  duration: number;
  connections: number;
  searchSizes: number[];
  copySize: number;
}

export function instancesOptions(argv: string[]): InstancesBenchOptions {
  const get = (name: string, dflt: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
  const sizes = get('search-sizes', '100000,1000000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--search-sizes: comma-separated whole numbers');
  return { duration: Number(get('duration', '15')), connections: Number(get('connections', '12')), searchSizes: sizes, copySize: Number(get('copy-size', '100000')) };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);

/** Request bodies: 3 in 4 new petitions, 1 in 4 copies of one of 20 templates (no ids: every request is a new petition). */
function bodies(n: number): string[] {
  const r = rng(4242);
  const templates = Array.from({ length: 20 }, () => makeTemplate(r));
  return Array.from({ length: n }, (_, i) => {
    const text = i % 4 === 0 ? makeVariant(r, templates[i % 20]!, new Set(EDITS.slice(0, 3)), i % 20) : makeLocal(r);
    return JSON.stringify({ text, sender: { email: `nadawca${i}@example.pl` } });
  });
}

async function load(targets: ServedSito[], connections: number, duration: number, all: string[]) {
  let next = 0;
  const runs = targets.map((t) =>
    autocannon({
      url: `${t.url}/v1/petitions/score`,
      connections: Math.max(1, Math.round(connections / targets.length)),
      duration,
      requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: all[next++ % all.length]! }) }],
    }),
  );
  const res = await Promise.all(runs);
  const ok = res.reduce((a, r) => a + r['2xx'], 0);
  const errors = res.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0);
  return { perSecond: ok / duration, p50: Math.max(...res.map((r) => r.latency.p50)), p99: Math.max(...res.map((r) => r.latency.p99)), ok, errors };
}

async function throughput(url: string, o: InstancesBenchOptions) {
  const rows: Array<Array<string | number>> = [];
  const all = bodies(5000);
  for (const n of [1, 3]) {
    const servers: ServedSito[] = [];
    try {
      for (let i = 0; i < n; i++) servers.push(await serveSito({ SITO_DATABASE_URL: url, SITO_EMBEDDING_MODEL: 'none' }));
      await load(servers, 4, 3, all); // warm-up
      const r = await load(servers, o.connections, o.duration, all);
      rows.push([n, o.connections, Math.round(r.perSecond), r.p50, r.p99, r.ok, r.errors]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  console.log('\nScoring with storage on, PostgreSQL, 1 against 3 instances (same total connections; 2-core machine: contention, not scale)');
  console.log(table(['instances', 'connections', 'petitions/s', 'p50 ms', 'p99 ms', 'stored', 'errors'], rows));
}

async function campaignTransaction(url: string) {
  const config = loadConfig({ SITO_EMBEDDING_MODEL: 'none' });
  const rules = loadRules(config.rulesFile, null);
  const r = rng(99);
  const rows: Array<Array<string | number>> = [];
  let run = 0;
  for (const writes of ['lock', 'serializable'] as const) {
    const stores = await Promise.all([0, 1, 2].map(() => PostgresStore.open(url, { poolSize: 4, writes })));
    const engines = stores.map((store) => new Engine({ rules, thresholds: config.thresholds, store }));
    try {
      for (const kind of ['copies of one new template', 'distinct petitions'] as const) {
        for (const concurrent of [1, 12]) {
          const template = makeTemplate(r);
          const n = concurrent === 1 ? 100 : 240;
          run++;
          const petitions = Array.from({ length: n }, (_, i) => {
            const text = kind === 'distinct petitions' ? makeLocal(r) : makeVariant(r, template, new Set(EDITS.slice(0, 3)), i);
            return { id: `tx-${run}-${i}`, text, store: true, sender: { email: `n${i}@example.pl` } };
          });
          const analysed = petitions.map((p) => ({ p, a: engines[0]!.analyse(p) }));
          const times: number[] = [];
          const retriesBefore = stores.reduce((a, s) => a + s.retries, 0);
          let i = 0;
          let failed = 0;
          const worker = async (w: number) => {
            const engine = engines[w % 3]!;
            for (;;) {
              const job = analysed[i++];
              if (!job) return;
              const t0 = performance.now();
              try {
                await engine.score(job.p, undefined, job.a);
              } catch {
                failed++;
              }
              times.push(performance.now() - t0);
            }
          };
          const t0 = performance.now();
          await Promise.all(Array.from({ length: concurrent }, (_, w) => worker(w)));
          const secs = (performance.now() - t0) / 1000;
          const campaigns = (await stores[0]!.pool.query<{ n: number }>('SELECT COUNT(DISTINCT campaign_seq) AS n FROM petitions WHERE id = ANY($1::text[]) AND campaign_seq IS NOT NULL', [petitions.map((p) => p.id)])).rows[0]!.n;
          const retries = stores.reduce((a, s) => a + s.retries, 0) - retriesBefore;
          rows.push([writes === 'lock' ? 'advisory lock' : 'serializable + retry', kind, concurrent === 1 ? '1 at a time' : '12 at once, 3 pools', n, ms(pct(times, 50)), ms(pct(times, 99)), Math.round(n / secs), kind === 'distinct petitions' ? '—' : campaigns, retries, failed]);
        }
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }
  console.log('\nThe campaign transaction on PostgreSQL (analysis done before; timed: look-up, decision, insert, commit)');
  console.log(table(['writes', 'petitions', 'concurrency', 'n', 'p50 ms', 'p99 ms', 'transactions/s', 'campaigns formed', 'retries', 'failed'], rows));
}

/** The synthetic vocabulary: 20 000 eight-letter words; word i is drawn with a skewed (squared uniform) probability, so low i are frequent. */
const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${(Math.imul(i + 1, 2654435761) >>> 0).toString(36).padStart(7, '0').slice(0, 7)}`);

/**
 * Fills the petitions table to `size` rows, 40 words each, sent in batches of 5 000 (text built
 * here, tsvector in PostgreSQL); the GIN index is dropped while filling and built once after, as
 * an operator would for a bulk load.
 */
async function fill(store: PostgresStore, size: number) {
  const have = (await store.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM petitions')).rows[0]!.n;
  if (have >= size) return;
  const r = rng(size);
  await store.pool.query('DROP INDEX IF EXISTS petitions_search');
  const chunk = 5000;
  for (let from = have; from < size; from += chunk) {
    const to = Math.min(size, from + chunk);
    const ids: string[] = [];
    const texts: string[] = [];
    const stored: string[] = [];
    for (let g = from; g < to; g++) {
      ids.push(`fill-${g}`);
      stored.push(new Date(Date.UTC(2024, 0, 1) + g * 1000).toISOString());
      texts.push(Array.from({ length: 40 }, () => vocabulary[Math.floor(r() ** 2 * vocabulary.length)]!).join(' '));
    }
    await store.pool.query(
      `INSERT INTO petitions (id, stored_at, text, score, level, track, model_version, result, signature, shingles, search)
       SELECT u.id, u.stored_at, u.text, 0.1, 'low', 'standard', 'bench', '{}', '\\x00', 1, array_to_tsvector(string_to_array(u.text, ' '))
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, stored_at, text)`,
      [ids, stored, texts],
    );
    if (process.stderr.isTTY) process.stderr.write(`\rfilled ${to}/${size}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await store.pool.query("SET maintenance_work_mem = '256MB'");
  await store.pool.query('CREATE INDEX petitions_search ON petitions USING GIN (search)');
  await store.pool.query('ANALYZE petitions');
}

export async function search(url: string, o: InstancesBenchOptions) {
  const store = await PostgresStore.open(url);
  const rows: Array<Array<string | number>> = [];
  try {
    // the words: a frequent one, a rare one, two words together, a prefix
    const vocab = vocabulary;
    const queries: Array<[string, string]> = [
      ['a frequent word', vocab[0]!],
      ['a rare word', vocab[19_990]!],
      ['two words', `${vocab[5]!} ${vocab[500]!}`],
      ['a 4-letter prefix', vocab[3]!.slice(0, 4)],
    ];
    for (const size of o.searchSizes) {
      const t0 = performance.now();
      await fill(store, size);
      const fillSecs = (performance.now() - t0) / 1000;
      for (const [what, q] of queries) {
        const times: number[] = [];
        let total = '';
        for (let i = 0; i < 30; i++) {
          const s = performance.now();
          const page = await store.listPetitions({ q, limit: 50, offset: 0 });
          times.push(performance.now() - s);
          // counted up to 10 000: "10000+" when more match
          total = `${page.total}${page.total_exact ? '' : '+'}`;
        }
        rows.push([size, what, total, ms(pct(times, 50)), ms(pct(times, 99))]);
      }
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const s = performance.now();
        await store.listPetitions({ q: vocab[0]!, level: 'low', limit: 50, offset: 0 });
        times.push(performance.now() - s);
      }
      rows.push([size, 'a frequent word + level filter', '', ms(pct(times, 50)), ms(pct(times, 99))]);
      console.error(`size ${size}: filled in ${fillSecs.toFixed(0)} s`);
    }
  } finally {
    await store.close();
  }
  console.log('\nSearch on PostgreSQL (tsvector + GIN, folded words as prefixes; 50 per page, with the total), 30 queries each');
  console.log(table(['petitions', 'query', 'matches', 'p50 ms', 'p99 ms'], rows));
}

/**
 * `sito copy` of a SQLite office of `size` petitions, each with its 85 LSH band keys (filled with
 * SQL into a store the SQLite backend created), into an empty database.
 */
export async function copyBench(url: string, size: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sito-copy-bench-'));
  await SqliteStore.open(dir).close();
  const db = new Database(join(dir, 'sito.db'));
  const r = rng(1);
  const insert = db.prepare(
    `INSERT INTO petitions (id, stored_at, subject, sender_email, text, score, level, track, model_version, result, signature, shingles)
     VALUES (?, ?, 'Petycja', ?, ?, 0.2, 'low', 'standard', 'bench', '{"reasons":[]}', ?, 40)`,
  );
  const lsh = db.prepare('INSERT INTO lsh (key, ref) VALUES (?, ?)');
  const signature = Buffer.alloc(1024, 7);
  db.transaction(() => {
    for (let i = 1; i <= size; i++) {
      insert.run(`copy-${i}`, new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(), `osoba${i}@example.pl`, Array.from({ length: 60 }, () => vocabulary[Math.floor(r() ** 2 * vocabulary.length)]!).join(' '), signature);
      for (let b = 0; b < 85; b++) lsh.run(b * 0x100000000 + Math.floor(r() * 0xffffffff), i);
    }
  })();
  db.close();
  const target = `${url.replace(/\/[^/]*$/, '')}/copy_bench`;
  const admin = await PostgresStore.open(url);
  await admin.pool.query('CREATE DATABASE copy_bench');
  await admin.close();
  const t0 = performance.now();
  const report = await copySqliteToPostgres(dir, target);
  const secs = (performance.now() - t0) / 1000;
  const rows = Object.values(report.tables).reduce((a, b) => a + b, 0);
  rmSync(dir, { recursive: true, force: true });
  console.log('\nsito copy, SQLite → PostgreSQL (one transaction, counts verified)');
  console.log(table(['petitions', 'LSH rows', 'rows in all', 'seconds', 'rows/s'], [[report.tables.petitions!, report.tables.lsh!, rows, secs.toFixed(1), Math.round(rows / secs)]]));
}

export async function benchInstances(o: InstancesBenchOptions) {
  const pg = await startPostgres();
  try {
    await throughput(pg.url, o);
    await campaignTransaction(pg.url);
    await copyBench(pg.url, o.copySize);
    await search(pg.url, o);
  } finally {
    pg.stop();
  }
}
