/**
 * npm run bench -- search [--sizes=10000,100000,1000000] [--store=sqlite|postgres|both] [--runs=N] [--seconds=S] [--data-dir=DIR] [--only=deadline]
 *
 * Listing and full-text search of stored petitions as the store grows: the inbox page (newest
 * first, 50 a page, with its total) unfiltered and by level, and searches for words of known
 * frequency, timed through the store's own `listPetitions`. The stores are filled fast with plain
 * SQL, not through the pipeline: a pool of generated Polish petitions (scripts/lib/generate-petitions)
 * repeated with marker words at fixed rates, so the frequencies below are known at every size:
 *   - "melioracji" in every 33rd petition (~3 %), "ornitologa" in every 1 000th (0.1 %),
 *   - "hipopotam" in none, the pool's most common word (4+ letters) in most.
 * The rows carry what listings and search read (level, track, dates, subject, excerpt, and the
 * full-text index: FTS5 rows in SQLite, the tsvector column in PostgreSQL).
 *
 * The inbox by deadline and the overdue views (`listByDeadline`, 50 a page) are timed too, on a
 * store where every 7th petition is answered and 300 are members of a petycja wielokrotna, on the day
 * the petitions stored halfway through the store fall due (so about half are overdue); with their
 * CPU time per listing (this process's: all of SQLite's work, PostgreSQL's own not). So is what the clerks' start page
 * reads on that day (startFigures). `--only=deadline` times only those.
 *
 * A terminal gets progress lines; a pipe gets one JSON line per measurement (and the tables).
 * Bounded: each query runs at most --runs times (default 30) and at most --seconds (default 6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { searchableText } from '../../src/storage/search-text.js';
import { PostgresStore } from '../../src/storage/postgres/store.js';
import { searchWords } from '../../src/storage/postgres/search.js';
import type { PetitionFilter, Store } from '../../src/storage/store.js';
import { addMonths, warsawDate } from '../../src/track/deadlines.js';
import { listByDeadline, type DeadlineQuery } from '../../src/track/petition-track.js';
import { startFigures } from '../../src/web/pages/start.js';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, pick, rng } from './generate-petitions.js';
import { startPostgres } from './throwaway-postgres.js';

export interface SearchBenchOptions {
  sizes: number[];
  stores: Array<'sqlite' | 'postgres'>;
  runs: number;
  seconds: number;
  /** SQLite: the store is kept here (and goes on from its size when filled before) */
  dataDir: string | undefined;
  /** 'deadline': only the inbox by deadline and overdue (listByDeadline) */
  only: 'all' | 'deadline';
}

export function searchBenchOptions(argv: string[]): SearchBenchOptions {
  const get = (name: string, fallback: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return fallback;
    return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 3) : (argv[i + 1] ?? fallback);
  };
  const sizes = get('sizes', '10000,100000,1000000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes: comma-separated whole numbers');
  const store = get('store', 'both');
  if (!['sqlite', 'postgres', 'both'].includes(store)) throw new Error('--store: sqlite, postgres or both');
  return {
    sizes: [...sizes].sort((a, b) => a - b),
    stores: store === 'both' ? ['sqlite', 'postgres'] : [store as 'sqlite' | 'postgres'],
    runs: Number(get('runs', '30')),
    seconds: Number(get('seconds', '6')),
    dataDir: get('data-dir', '') || undefined,
    only: get('only', 'all') === 'deadline' ? 'deadline' : 'all',
  };
}

/** Marker words at fixed rates (the SQL below mirrors `markers`). */
const WORD_3 = 'melioracji';
const WORD_01 = 'ornitologa';
const ABSENT = 'hipopotam';
const POOL = 20_000;

/** The level of row g (0-based): 10 % high, 15 % review, the rest low; the mass track for the high ones. */
const LEVEL_SQL = (g: string) => `CASE WHEN (${g} * 7919) % 100 < 10 THEN 'high' WHEN (${g} * 7919) % 100 < 25 THEN 'review' ELSE 'low' END`;
const TRACK_SQL = (g: string) => `CASE WHEN (${g} * 7919) % 100 < 10 THEN 'petycje_masowe' ELSE 'standard' END`;
/** The sentence appended to row g's text, and its folded words. */
const TEXT_SQL = (g: string, cat: (literal: string) => string) =>
  `CASE WHEN ${g} % 33 = 0 THEN ${cat(`'\nDotyczy to także melioracji rowów.'`)} ELSE '' END || CASE WHEN ${g} % 1000 = 500 THEN ${cat(`'\nW załączeniu opinia ornitologa.'`)} ELSE '' END`;
const FOLDED_SQL = (g: string) => `CASE WHEN ${g} % 33 = 0 THEN ' dotyczy to takze melioracji rowow' ELSE '' END || CASE WHEN ${g} % 1000 = 500 THEN ' w zalaczeniu opinia ornitologa' ELSE '' END`;

interface PoolEntry {
  subject: string;
  text: string;
  folded: string;
  words: string[];
}

/** Generated petitions: 60 % one-off local ones, 40 % copies of 300 mass templates with edits. */
export function pool(): PoolEntry[] {
  const r = rng(20260601);
  const templates = Array.from({ length: 300 }, () => makeTemplate(r));
  return Array.from({ length: POOL }, (_, i) => {
    const text = r() < 0.6 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), i % templates.length);
    const subject = pick(r, ['Petycja', 'Petycja w sprawie drogi', 'Wniosek mieszkańców', 'Prośba o interwencję', 'Oferta dla gminy']);
    const folded = searchableText(text, subject, null);
    return { subject, text, folded, words: searchWords(folded) };
  });
}

/** The pool's word found in the most petitions (4 letters or more, no digits), and its share. */
function frequentWord(entries: PoolEntry[]): { word: string; share: number } {
  const df = new Map<string, number>();
  for (const e of entries) for (const w of e.words) if (/^[a-z]{4,}$/.test(w)) df.set(w, (df.get(w) ?? 0) + 1);
  const [word, n] = [...df].sort((a, b) => b[1] - a[1])[0]!;
  return { word, share: n / entries.length };
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const ms = (t0: number) => performance.now() - t0;
const pctl = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Fills a SQLite store's petitions and FTS rows from row `from` to `to` (0-based), in chunks. */
function fillSqlite(db: Database.Database, from: number, to: number, progress: (n: number) => void) {
  const chunk = 50_000;
  for (let a = from; a < to; a += chunk) {
    const b = Math.min(to, a + chunk);
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n + 1 < ?)
         INSERT INTO petitions (seq, id, received_at, stored_at, subject, sender_name, sender_email, text, score, level, track, model_version, result, campaign_seq, signature, shingles)
         SELECT n + 1, 'b-' || n, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 1704067200 + n * 30, 'unixepoch'), pool.subject, NULL, NULL,
                pool.text || ${TEXT_SQL('n', (s) => s)}, 0.2, ${LEVEL_SQL('n')}, ${TRACK_SQL('n')}, 'bench', '{"reasons":[]}', NULL, x'00', 40
         FROM g JOIN bench_pool pool ON pool.k = n % ${POOL}`,
      ).run(a, b);
      db.prepare(
        `INSERT INTO petitions_fts (rowid, body)
         SELECT p.seq, pool.folded || ${FOLDED_SQL('(p.seq - 1)')} FROM petitions p JOIN bench_pool pool ON pool.k = (p.seq - 1) % ${POOL}
         WHERE p.seq > ? AND p.seq <= ?`,
      ).run(a, b);
    })();
    progress(b);
  }
}

export async function fillPostgres(store: PostgresStore, from: number, to: number, progress: (n: number) => void) {
  const q = (sql: string, values?: unknown[]) => store.pool.query(sql, values);
  // the GIN index is built once after a bulk load, as an operator would
  await q('DROP INDEX IF EXISTS petitions_search');
  const chunk = 50_000;
  for (let a = from; a < to; a += chunk) {
    const b = Math.min(to, a + chunk);
    await q(
      `INSERT INTO petitions (seq, id, received_at, stored_at, subject, sender_name, sender_email, text, score, level, track, model_version, result, campaign_seq, signature, shingles, search)
       SELECT n + 1, 'b-' || n, NULL, to_char(to_timestamp(1704067200 + n * 30) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), pool.subject, NULL, NULL,
              pool.text || ${TEXT_SQL('n', (s) => `E${s.replace(/\n/g, '\\n')}`)}, 0.2, ${LEVEL_SQL('n')}, ${TRACK_SQL('n')}, 'bench', '{"reasons":[]}', NULL, '\\x00', 40,
              array_to_tsvector(pool.words || string_to_array(trim(${FOLDED_SQL('n')}), ' '))
       FROM generate_series($1::bigint, $2::bigint - 1) AS n JOIN bench_pool pool ON pool.k = n % ${POOL}`,
      [a, b],
    );
    progress(b);
  }
  await q(`SELECT setval(pg_get_serial_sequence('petitions', 'seq'), $1)`, [to]);
  await q("SET maintenance_work_mem = '512MB'");
  await q('CREATE INDEX petitions_search ON petitions USING GIN (search)');
  await q('VACUUM ANALYZE petitions');
}

/** The pool as a table the fill reads (PostgreSQL). */
export async function postgresPool(store: PostgresStore, entries: PoolEntry[]) {
  await store.pool.query('CREATE TABLE bench_pool (k INTEGER PRIMARY KEY, subject TEXT, text TEXT, words TEXT[])');
  for (let k = 0; k < entries.length; k += 2000) {
    const part = entries.slice(k, k + 2000);
    await store.pool.query(
      `INSERT INTO bench_pool SELECT k, s, t, string_to_array(w, ' ') FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS u(k, s, t, w)`,
      [part.map((_, j) => k + j), part.map((e) => e.subject), part.map((e) => e.text), part.map((e) => e.words.join(' '))],
    );
  }
}

interface Measure {
  name: string;
  filter: Omit<PetitionFilter, 'limit' | 'offset'>;
  /** the inbox by deadline / overdue (listByDeadline on this day), else listPetitions */
  deadline?: DeadlineQuery;
  offset?: number;
  /** the clerks' start page's figures (startFigures on this day) instead of a listing; its total: deadlines this week */
  start?: true;
}

/** The day the petitions stored halfway through a store of `size` fall due (the fill's dates). */
const dueDay = (size: number) => addMonths(warsawDate(new Date((1704067200 + Math.floor(size / 2) * 30) * 1000)), 3);

async function measure(store: Store, m: Measure, o: SearchBenchOptions, size: number) {
  const times: number[] = [];
  const cpu: number[] = [];
  let total = 0;
  let exact: boolean | undefined;
  let first = '';
  const list = async (): Promise<{ total: number; total_exact?: boolean; items: Array<{ id: string }> }> => {
    if (m.start) {
      const f = await startFigures(store, store.track, dueDay(size));
      return { total: f.dueTotal, items: f.due };
    }
    return m.deadline ? listByDeadline(store.track, { ...m.filter, limit: 50, offset: m.offset ?? 0 }, m.deadline, dueDay(size)) : store.listPetitions({ ...m.filter, limit: 50, offset: m.offset ?? 0 });
  };
  const start = performance.now();
  await list(); // warm-up
  for (let i = 0; i < o.runs && (i < 3 || ms(start) < o.seconds * 1000); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const page = await list();
    times.push(ms(t0));
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    total = page.total;
    exact = (page as { total_exact?: boolean }).total_exact;
    first = page.items[0]?.id ?? '';
  }
  return { p50: pctl(times, 50), p99: pctl(times, 99), cpu50: pctl(cpu, 50), runs: times.length, total, exact, first };
}

/** Track rows for the deadline views (SQLite): every 7th petition answered, 300 in a petycja wielokrotna. */
function fillTrack(db: Database.Database, from: number, to: number) {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO petition_status (petition_id, status, note, login, at)
       SELECT id, 'rozpatrzona', NULL, 'bench', stored_at FROM petitions WHERE seq > ? AND seq <= ? AND seq % 7 = 0`,
    ).run(from, to);
    if (from > 0) return;
    const joint = db
      .prepare(`INSERT INTO joint_considerations (campaign_id, subject, ordered_by, ordered_at, announced_on, waiting_end, deadline) VALUES ('bench', 'bench', 'bench', '2024-01-10', '2024-01-10', '2024-03-01', '2024-06-01')`)
      .run().lastInsertRowid;
    db.prepare(`INSERT INTO joint_members (joint_seq, petition_id, state, decided_by, decided_at) SELECT ?, id, 'member', 'bench', '2024-01-10' FROM petitions WHERE seq % 3331 = 1 AND seq <= ? LIMIT 300`).run(joint, to);
  })();
}

/** The same track rows for PostgreSQL. */
export async function fillTrackPostgres(store: PostgresStore, from: number, to: number) {
  const q = (sql: string, values?: unknown[]) => store.pool.query(sql, values);
  await q(`INSERT INTO petition_status (petition_id, status, note, login, at) SELECT id, 'rozpatrzona', NULL, 'bench', stored_at FROM petitions WHERE seq > $1 AND seq <= $2 AND seq % 7 = 0`, [from, to]);
  if (from === 0) {
    const joint = (await q(`INSERT INTO joint_considerations (campaign_id, subject, ordered_by, ordered_at, announced_on, waiting_end, deadline) VALUES ('bench', 'bench', 'bench', '2024-01-10', '2024-01-10', '2024-03-01', '2024-06-01') RETURNING seq`)).rows[0].seq;
    await q(`INSERT INTO joint_members (joint_seq, petition_id, state, decided_by, decided_at) SELECT $1, id, 'member', 'bench', '2024-01-10' FROM petitions WHERE seq % 3331 = 1 AND seq <= $2 ORDER BY seq LIMIT 300`, [joint, to]);
  }
  await q('VACUUM ANALYZE petition_status');
}

export async function benchSearch(o: SearchBenchOptions) {
  const tty = process.stderr.isTTY;
  const say = (line: string) => (tty ? process.stderr.write(`${line}\n`) : undefined);
  const t0 = performance.now();
  const entries = pool();
  const frequent = frequentWord(entries);
  say(`search: pool of ${entries.length} generated petitions in ${(ms(t0) / 1000).toFixed(1)} s; frequent word "${frequent.word}" in ${(frequent.share * 100).toFixed(0)} %; load ${load()}`);
  const measures: Measure[] = [
    { name: 'inbox, unfiltered', filter: {} },
    { name: 'inbox, level=review', filter: { level: 'review' } },
    { name: `frequent word "${frequent.word}" (~${(frequent.share * 100).toFixed(0)} %)`, filter: { q: frequent.word } },
    { name: `word in ~3 % ("${WORD_3}")`, filter: { q: WORD_3 } },
    { name: `word in 0.1 % ("${WORD_01}")`, filter: { q: WORD_01 } },
    { name: `absent word ("${ABSENT}")`, filter: { q: ABSENT } },
    { name: 'prefix "remon"', filter: { q: 'remon' } },
    { name: `frequent word + level=high`, filter: { q: frequent.word, level: 'high' } },
  ];
  const deadlineMeasures: Measure[] = [
    { name: 'by deadline, unfiltered', filter: {}, deadline: { order: 'deadline' } },
    { name: 'by deadline, overdue only', filter: {}, deadline: { order: 'deadline', overdue: true } },
    { name: 'by deadline, not overdue', filter: {}, deadline: { order: 'deadline', overdue: false } },
    { name: 'overdue, newest first', filter: {}, deadline: { order: 'newest', overdue: true } },
    { name: 'by deadline, level=review', filter: { level: 'review' }, deadline: { order: 'deadline' } },
    { name: `by deadline, word in ~3 % ("${WORD_3}")`, filter: { q: WORD_3 }, deadline: { order: 'deadline' } },
    { name: 'by deadline, page 100 (offset 4 950)', filter: {}, deadline: { order: 'deadline' }, offset: 4950 },
    { name: 'start page (12 weeks by level, deadlines this week, overdue total, campaigns, marks)', filter: {}, start: true },
  ];
  const timed = o.only === 'deadline' ? deadlineMeasures : [...measures, ...deadlineMeasures];
  const rows: Array<Array<string | number>> = [];
  const fills: Array<Array<string | number>> = [];
  for (const kind of o.stores) {
    const keep = kind === 'sqlite' && o.dataDir !== undefined;
    const dir = keep ? o.dataDir! : mkdtempSync(join(tmpdir(), 'sito-search-bench-'));
    const pg = kind === 'postgres' ? await startPostgres() : null;
    try {
      let store: Store;
      let fill: (from: number, to: number) => Promise<void>;
      let closeFill = () => {};
      if (kind === 'sqlite') {
        await SqliteStore.open(dir).close();
        const db = new Database(join(dir, 'sito.db'));
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = OFF');
        db.pragma('cache_size = -1000000');
        db.exec('CREATE TEMP TABLE bench_pool (k INTEGER PRIMARY KEY, subject TEXT, text TEXT, folded TEXT)');
        const ins = db.prepare('INSERT INTO bench_pool VALUES (?, ?, ?, ?)');
        db.transaction(() => entries.forEach((e, k) => ins.run(k, e.subject, e.text, e.folded)))();
        fill = async (from, to) => {
          fillSqlite(db, from, to, (n) => tty && process.stderr.write(`\r  sqlite: filled ${n}/${to} (${load()})   `));
          fillTrack(db, from, to);
        };
        closeFill = () => db.close();
        store = SqliteStore.open(dir);
      } else {
        const pgStore = await PostgresStore.open(pg!.url);
        await postgresPool(pgStore, entries);
        fill = async (from, to) => {
          await fillPostgres(pgStore, from, to, (n) => tty && process.stderr.write(`\r  postgres: filled ${n}/${to} (${load()})   `));
          await fillTrackPostgres(pgStore, from, to);
        };
        store = pgStore;
      }
      let have = keep ? (await store.stats()).petitions : 0;
      for (const size of o.sizes) {
        const f0 = performance.now();
        const loadBefore = load();
        await fill(have, size);
        if (tty) process.stderr.write('\n');
        const secs = ms(f0) / 1000;
        fills.push([kind, `${have} → ${size}`, secs.toFixed(1), loadBefore]);
        if (!tty) console.log(JSON.stringify({ bench: 'search', store: kind, event: 'filled', from: have, to: size, seconds: +secs.toFixed(1), load: loadBefore }));
        have = size;
        for (const m of timed) {
          const r = await measure(store, m, o, size);
          const total = r.exact === false ? `${r.total}+` : String(r.total);
          rows.push([kind, size, m.name, total, r.p50.toFixed(2), r.p99.toFixed(2), r.cpu50.toFixed(2), r.runs]);
          if (tty) process.stderr.write(`  ${kind} ${size} ${m.name}: total ${total}, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, CPU p50 ${r.cpu50.toFixed(1)} ms, first ${r.first}\n`);
          else console.log(JSON.stringify({ bench: 'search', store: kind, size, query: m.name, total: r.total, total_exact: r.exact ?? null, first: r.first, p50_ms: +r.p50.toFixed(2), p99_ms: +r.p99.toFixed(2), cpu_p50_ms: +r.cpu50.toFixed(2), runs: r.runs, load: load() }));
        }
      }
      closeFill();
      await store.close();
    } finally {
      pg?.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\nFills (plain SQL, generated petitions)');
  console.log(table(['store', 'rows', 'seconds', 'load before'], fills));
  console.log(`\nListing and search through listPetitions, and the inbox by deadline through listByDeadline (50 a page, with the total; "N+": more than N; CPU: this process's per listing), load at the end ${load()}`);
  console.log(table(['store', 'petitions', 'query', 'total', 'p50 ms', 'p99 ms', 'CPU p50 ms', 'runs'], rows));
}
