/**
 * npm run bench -- clearinghouse [--offices 2500] [--campaigns 300] [--residents 200000]
 *                                [--reports 1000000] [--store sqlite|postgres] [--batch 500] [--probes 1000]
 *                                [--profile DIR]  (the clearinghouse's CPU profile, node --cpu-prof)
 *                                [--pg name=value …]  (PostgreSQL server settings, e.g. --pg shared_buffers=2GB)
 *                                [--pg-statements]  (PostgreSQL: the statements that took the most time, per phase)
 *                                [--explain-false]  (what each false "seen elsewhere" matched, and how alike the pair truly is)
 *
 * A clearinghouse as its own process (`sito clearinghouse serve`), fed through the HTTP API:
 * campaigns reaching 20–2 500 offices each (log-uniform sizes, scaled so that campaigns and
 * residents make --reports in all), every copy with its own per-office edits; residents'
 * petitions at one office each, naming its town. Every text has a random stream of its own
 * (`stream`: per-report seeds of one xorshift32 cycle made alike texts). Reports go in per-office
 * batches, several requests at once; only the time spent sending counts (texts are generated and
 * fingerprinted between rounds).
 * Then, at the final size: look-up latency, recall (a new copy of a campaign that two or more
 * other offices received must answer >= 2; also for published excerpts, the first 25–60 % of a
 * copy, asked apart from the timed look-ups) and false "seen elsewhere" on residents' petitions
 * (stored ones asked by their own office, and new ones), with how many of those answered two
 * offices or more, each rate with its 95 % Wilson interval (a few hits in a few thousand probes
 * say little). On PostgreSQL the look-ups run twice: right after the load (autovacuum catching up
 * with it may run beside them: the bench says whether it did), and with other probes once VACUUM
 * ANALYZE has run (a store at that size in its steady state).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { encodeSignature, keyFingerprint } from '../../src/clearinghouse/keyed-fingerprint.js';
import { normalise } from '../../src/normalise/normalise.js';
import { compare, fingerprint, isNearDuplicateAtScale, shingleHashes } from '../../src/signals/fingerprint/minhash.js';
import { table, wilson95 } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, rng, stream, townOf, type Rng } from './generate-petitions.js';
import { freePort } from './serve.js';
import { startPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

/** (inside the bench, `pg` names the throwaway server) */
const PgClient = pg.Client;

const bin = fileURLToPath(new URL('../../bin/sito.js', import.meta.url));
const SECRET = 'bench-federation-secret-0123456789';

export interface ClearinghouseBenchOptions {
  offices: number;
  campaigns: number;
  residents: number;
  reports: number;
  store: 'sqlite' | 'postgres';
  batch: number;
  probes: number;
  concurrency: number;
  /** a folder for the clearinghouse process's V8 CPU profile (node --cpu-prof), or null */
  profile: string | null;
  /** PostgreSQL server settings beyond initdb's defaults */
  pgSettings: Record<string, string>;
  /** PostgreSQL: print the statements that took the most time while reporting and while looking up (pg_stat_statements) */
  pgStatements: boolean;
  /** what each false "seen elsewhere" matched, as JSON lines on stderr */
  explainFalse: boolean;
}

export function clearinghouseOptions(argv: string[]): ClearinghouseBenchOptions {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq ? eq.split('=')[1]! : i >= 0 ? argv[i + 1]! : dflt;
  };
  const num = (name: string, dflt: number) => {
    const v = Number(get(name, String(dflt)));
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive whole number`);
    return v;
  };
  const residents = num('residents', 200_000);
  const store = get('store', 'sqlite');
  if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store: sqlite or postgres');
  return {
    offices: num('offices', 2500),
    campaigns: num('campaigns', 300),
    residents,
    reports: num('reports', 1_000_000),
    store,
    batch: num('batch', 500),
    probes: num('probes', 1000),
    concurrency: num('concurrency', 4),
    profile: get('profile', '') || null,
    pgStatements: argv.includes('--pg-statements'),
    explainFalse: argv.includes('--explain-false'),
    pgSettings: Object.fromEntries(
      argv
        .flatMap((a, i) => (a === '--pg' ? [argv[i + 1] ?? ''] : a.startsWith('--pg=') ? [a.slice(5)] : []))
        .map((kv) => {
          const m = /^([a-z_]+)=([A-Za-z0-9.]+)$/.exec(kv);
          if (!m) throw new Error(`--pg: expected name=value (e.g. shared_buffers=2GB), got "${kv}"`);
          return [m[1]!, m[2]!];
        }),
    ),
  };
}

const keyOf = (o: number) => `bench-office-key-${String(o).padStart(5, '0')}`;
const officeId = (o: number) => `o${o}`;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** A report's descriptor: generated into text and fingerprint only when it is about to be sent. */
interface Planned {
  office: number;
  /** campaign index, or -1 for a resident's petition */
  campaign: number;
  seed: number;
}

function wire(text: string, day: string, id: string) {
  const k = keyFingerprint(fingerprint(normalise(text).folded), SECRET);
  return { id, signature: encodeSignature(k.signature), shingles: k.shingles, received_day: day };
}

/** CPU time (user + system, ms) of these processes, from /proc: the clearinghouse's cost, whatever else loads the machine. */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10;
}

/** The clearinghouse process, and with PostgreSQL its server processes (postmaster and backends). */
function storePids(ch: ChildProcess, pgData: string | null): number[] {
  const pids = [ch.pid!];
  if (!pgData) return pids;
  const master = Number(readFileSync(join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
  pids.push(master);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === master) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * --pg-statements: the statements that took the most of PostgreSQL's time since the last call
 * (pg_stat_statements), then its counters reset; 'create' only installs the extension.
 */
async function pgStatements(url: string, phase: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    if (phase === 'create') {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      return;
    }
    const rows = (
      await c.query<{ calls: string; total: number; mean: number; rows: string; query: string }>(
        `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, rows, regexp_replace(query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 12`,
      )
    ).rows;
    console.log(`\nPostgreSQL statements ${phase} (most time first):`);
    console.log(table(['calls', 'total ms', 'mean ms', 'rows', 'statement'], rows.map((r) => [r.calls, r.total.toFixed(0), r.mean.toFixed(3), r.rows, r.query.slice(0, 110)])));
    await c.query('SELECT pg_stat_statements_reset()');
  } finally {
    await c.end();
  }
}

const uuidOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function startClearinghouse(env: Record<string, string>, profile: string | null): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), bin, 'clearinghouse', 'serve', '--port', String(port)], { env: { ...process.env, SITO_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`clearinghouse exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('clearinghouse did not start');
}

/**
 * Sends the look-ups one at a time from a process of its own that holds nothing else (plain
 * JavaScript, so its heap is the probes' bodies only), and gives each answer's offices and time.
 */
async function sendProbes(url: string, probes: Array<{ key: string; body: string }>): Promise<Array<{ ms: number; offices: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'sito-bench-probes-'));
  try {
    const file = join(dir, 'probes.json');
    writeFileSync(file, JSON.stringify(probes));
    const code = `
      const probes = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
      (async () => {
        const out = [];
        for (const p of probes) {
          const t0 = performance.now();
          const res = await fetch(process.argv[2], { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + p.key }, body: p.body });
          const a = await res.json();
          if (!res.ok) throw new Error('look-up: ' + res.status + ' ' + JSON.stringify(a));
          out.push({ ms: performance.now() - t0, offices: a.offices });
        }
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', code, file, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (exit !== 0) throw new Error(`look-up probes failed (exit ${exit})`);
    return JSON.parse(out) as Array<{ ms: number; offices: number }>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchClearinghouse(o: ClearinghouseBenchOptions) {
  const r = rng(20240506);
  const templates = Array.from({ length: o.campaigns }, () => makeTemplate(r));
  // campaign sizes: log-uniform in [20, 2 500], scaled to fill the reports that are not residents'
  const copies = Math.max(o.campaigns * 20, o.reports - o.residents);
  const raw = templates.map(() => Math.exp(Math.log(20) + r() * (Math.log(2500) - Math.log(20))));
  const scale = copies / raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((x) => Math.max(2, Math.round(x * scale)));
  const campaignOffices = sizes.map(() => new Set<number>());
  const byOffice: Planned[][] = Array.from({ length: o.offices }, () => []);
  let seed = 1;
  sizes.forEach((size, c) => {
    for (let i = 0; i < size; i++) {
      const office = Math.floor(r() * o.offices);
      campaignOffices[c]!.add(office);
      byOffice[office]!.push({ office, campaign: c, seed: seed++ });
    }
  });
  const residentsPlanned: Planned[] = [];
  for (let i = 0; i < o.residents; i++) {
    const p = { office: Math.floor(r() * o.offices), campaign: -1, seed: seed++ };
    byOffice[p.office]!.push(p);
    residentsPlanned.push(p);
  }
  const total = byOffice.reduce((a, l) => a + l.length, 0);
  /** An office's copy of campaign c: its edits drawn from `edits` (each with probability 0.35) first, then its text from `r`. */
  const copyOf = (c: number, r: Rng, edits = r) => {
    const chosen = new Set(EDITS.filter(() => edits() < 0.35));
    return makeVariant(r, templates[c]!, chosen, c);
  };
  const textOf = (p: Planned) => {
    const pr = stream(p.seed);
    return p.campaign < 0 ? makeLocal(pr, townOf(p.office)) : copyOf(p.campaign, pr);
  };

  /**
   * What each false "seen elsewhere" matched: every resident's petition and every campaign's
   * template compared with it as the clearinghouse compares (keyed signatures), the most similar at
   * another office kept, and that pair's true Jaccard of word-pair shingles — whether the generator
   * made two truly alike texts or the estimate strayed; and the most similar at the asking office
   * itself (a text matching its own office's petition joins that petition's cluster, which may
   * hold another office's). Printed as JSON lines on stderr.
   */
  const explainFalse = (hits: Array<{ office: number; text: string; kind: 'stored' | 'new'; offices: number }>) => {
    if (!hits.length) return;
    const keyed = (text: string) => keyFingerprint(fingerprint(normalise(text).folded), SECRET);
    const targets = hits.map((h) => ({ ...h, fp: keyed(h.text), best: { similarity: -1, jaccard: 0, containment: 0, text: '', what: '' }, own: { similarity: -1, matches: false, what: '' } }));
    const consider = (text: string, office: number, what: string) => {
      const fp = keyed(text);
      for (const t of targets) {
        const s = compare(t.fp, fp);
        if (office !== t.office) {
          if (s.similarity > t.best.similarity) t.best = { ...s, text, what };
        } else if (text !== t.text && s.similarity > t.own.similarity) t.own = { similarity: s.similarity, matches: isNearDuplicateAtScale(t.fp, fp, s), what };
      }
    };
    residentsPlanned.forEach((p, i) => consider(textOf(p), p.office, `resident ${i}`));
    templates.forEach((t, c) => consider(t.join('\n\n'), -1, `campaign ${c} template`));
    const shingles = (text: string) => new Set(shingleHashes(normalise(text).folded));
    for (const t of targets) {
      const a = shingles(t.text);
      const b = shingles(t.best.text);
      let both = 0;
      for (const x of a) if (b.has(x)) both++;
      process.stderr.write(
        JSON.stringify({
          false_hit: t.kind,
          offices: t.offices,
          shingles: t.fp.shingles,
          nearest: t.best.what,
          nearest_shingles: b.size,
          estimated_jaccard: +t.best.jaccard.toFixed(3),
          estimated_containment: +t.best.containment.toFixed(3),
          true_jaccard: +(both / (a.size + b.size - both)).toFixed(3),
          true_containment: +(both / Math.min(a.size, b.size)).toFixed(3),
          matches_at_scale: isNearDuplicateAtScale(t.fp, keyed(t.best.text)),
          nearest_at_own_office: t.own.what || null,
          own_office_similarity: t.own.what ? +t.own.similarity.toFixed(3) : null,
          own_office_matches_at_scale: t.own.matches,
        }) + '\n',
      );
    }
  };

  let pg: ThrowawayPostgres | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'sito-bench-ch-'));
  const env: Record<string, string> = {
    SITO_DATA_DIR: dataDir,
    SITO_CLEARINGHOUSE_KEYS: Array.from({ length: o.offices }, (_, i) => `${keyOf(i)}:${officeId(i)}`).join(','),
    SITO_DATABASE_URL: '',
  };
  if (o.store === 'postgres') {
    pg = await startPostgres(o.pgStatements ? { ...o.pgSettings, shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : o.pgSettings);
    env.SITO_DATABASE_URL = pg.url;
    if (o.pgStatements) await pgStatements(pg.url, 'create');
  }
  const ch = await startClearinghouse(env, o.profile);
  const post = async (path: string, office: number, body: string) => {
    const res = await fetch(`${ch.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf(office)}` }, body });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };

  try {
    console.log(`\nClearinghouse (${o.store}${Object.keys(o.pgSettings).length ? `, ${Object.entries(o.pgSettings).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}): ${o.offices} offices, ${o.campaigns} campaigns (${Math.min(...sizes)}–${Math.max(...sizes)} copies each), ${o.residents} residents' petitions: ${total} reports`);
    // requests: per-office batches, offices taken round-robin
    const requests: Array<{ office: number; items: Planned[] }> = [];
    for (let round = 0; ; round++) {
      let any = false;
      for (let office = 0; office < o.offices; office++) {
        const items = byOffice[office]!.slice(round * o.batch, (round + 1) * o.batch);
        if (items.length) {
          requests.push({ office, items });
          any = true;
        }
      }
      if (!any) break;
    }
    let sent = 0;
    let sendMs = 0;
    let insertCpu = 0;
    let n = 0;
    const CHUNK = 20_000;
    let lastPrint = Date.now();
    for (let i = 0; i < requests.length; ) {
      // generate the next chunk of bodies (not timed)
      const bodies: Array<{ office: number; body: string; count: number }> = [];
      let inChunk = 0;
      while (i < requests.length && inChunk < CHUNK) {
        const q = requests[i++]!;
        bodies.push({ office: q.office, count: q.items.length, body: JSON.stringify({ reports: q.items.map((p) => wire(textOf(p), '2024-05-06', uuidOf(++n))) }) });
        inChunk += q.items.length;
      }
      const pids = storePids(ch.child, pg?.dataDir ?? null);
      const c0 = cpuMs(pids);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (next < bodies.length) {
            const b = bodies[next++]!;
            await post('/v1/reports', b.office, b.body);
            sent += b.count;
          }
        }),
      );
      sendMs += performance.now() - t0;
      insertCpu += cpuMs(pids) - c0;
      if (Date.now() - lastPrint > 10_000) {
        process.stderr.write(`  ${sent}/${total} reports, ${Math.round(sent / (sendMs / 1000))} reports/s so far\n`);
        lastPrint = Date.now();
      }
    }

    // probes at the final size: bodies made here, sent one at a time by a lean process of their own
    // (this one holds the plan of a million reports, and its own collections paused the timing by
    // 6–8 ms dozens of times in a run: the measuring client's pauses, not the clearinghouse's)
    const pr = rng(777);
    const makeProbes = (pass: number) => {
      const probes: Array<{ key: string; body: string }> = [];
      const probe = (office: number, text: string) => {
        const w = wire(text, '2024-05-06', uuidOf(0));
        probes.push({ key: keyOf(office), body: JSON.stringify({ signature: w.signature, shingles: w.shingles }) });
      };
      const recallOthers: number[] = [];
      for (let i = 0; i < o.probes; i++) {
        const c = Math.floor(pr() * o.campaigns);
        const office = Math.floor(pr() * o.offices);
        recallOthers.push([...campaignOffices[c]!].filter((x) => x !== office).length);
        probe(office, copyOf(c, stream(9_000_000 + pass * 100_000 + i), pr));
      }
      // residents' petitions, in the order of the false-hit half of `probes`
      const residents: Array<{ office: number; text: string; kind: 'stored' | 'new' }> = [];
      for (let i = 0; i < o.probes; i++) {
        const p = residentsPlanned[Math.floor(pr() * residentsPlanned.length)]!;
        const text = textOf(p);
        probe(p.office, text);
        residents.push({ office: p.office, text, kind: 'stored' });
        const office = Math.floor(pr() * o.offices);
        const fresh = makeLocal(stream(5_000_000 + pass * 100_000 + i), townOf(office));
        probe(office, fresh);
        residents.push({ office, text: fresh, kind: 'new' });
      }
      return { probes, recallOthers, residents };
    };
    const measure = async (pass: number) => {
      const { probes, recallOthers, residents } = makeProbes(pass);
      const probePids = storePids(ch.child, pg?.dataDir ?? null);
      const probeCpu0 = cpuMs(probePids);
      const answers = await sendProbes(`${ch.url}/v1/lookup`, probes);
      const lookupCpu = cpuMs(probePids) - probeCpu0;
      const lat = answers.map((a) => a.ms);
      // copies of campaigns that two or more other offices received, and how many of them answered >= 2
      const recalled = (others: number[], said: Array<{ offices: number }>) => {
        const asked = others.flatMap((n, i) => (n >= 2 ? [i] : []));
        return { n: asked.length, hit: asked.filter((i) => said[i]!.offices >= 2).length };
      };
      const recall = recalled(recallOthers, answers);
      const falseN = 2 * o.probes;
      const falseHit = answers.slice(o.probes).filter((a) => a.offices > 0).length;
      const falseTwo = answers.slice(o.probes).filter((a) => a.offices >= 2).length;
      if (o.explainFalse) explainFalse(answers.slice(o.probes).flatMap((a, i) => (a.offices > 0 ? [{ ...residents[i]!, offices: a.offices }] : [])));
      const rate = (k: number, n: number, digits: number, scale: number, unit: string) => {
        const [lo, hi] = wilson95(k, n);
        return `${((scale * k) / Math.max(1, n)).toFixed(digits)}${unit} (${k}/${n}; 95 %: ${(scale * lo).toFixed(digits)}–${(scale * hi).toFixed(digits)})`;
      };
      // published excerpts: the first 25–60 % of an office's copy of a campaign, asked after the
      // timed look-ups (left out of their latency) and drawn from streams of their own, so that the
      // other probes stay what they were
      const er = rng(888 + pass);
      const excerpts: Array<{ key: string; body: string }> = [];
      const excerptOthers: number[] = [];
      for (let i = 0; i < o.probes; i++) {
        const c = Math.floor(er() * o.campaigns);
        const office = Math.floor(er() * o.offices);
        excerptOthers.push([...campaignOffices[c]!].filter((x) => x !== office).length);
        const text = copyOf(c, stream(7_000_000 + pass * 100_000 + i));
        const w = wire(text.slice(0, Math.floor(text.length * (0.25 + 0.35 * er()))), '2024-05-06', uuidOf(0));
        excerpts.push({ key: keyOf(office), body: JSON.stringify({ signature: w.signature, shingles: w.shingles }) });
      }
      const excerptRecall = recalled(excerptOthers, await sendProbes(`${ch.url}/v1/lookup`, excerpts));
      return {
        p50: quantile(lat, 0.5).toFixed(2),
        p99: quantile(lat, 0.99).toFixed(2),
        cpu: lookupCpu >= 0 ? (lookupCpu / lat.length).toFixed(3) : '—',
        recall: rate(recall.hit, recall.n, 4, 1, ''),
        falseSeen: rate(falseHit, falseN, 2, 100, ' %'),
        falseTwo: rate(falseTwo, falseN, 2, 100, ' %'),
        excerpts: rate(excerptRecall.hit, excerptRecall.n, 4, 1, ''),
      };
    };
    if (pg && o.pgStatements) await pgStatements(pg.url, 'while reporting');
    // which tables autovacuum worked on while the look-ups ran (sampled every second)
    const vacuumed = new Set<string>();
    const watch = pg ? new PgClient({ connectionString: pg.url }) : null;
    await watch?.connect();
    const sample = async () => {
      const rows = (await watch!.query<{ q: string }>("SELECT query AS q FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query <> ''")).rows;
      for (const r of rows) vacuumed.add(r.q.replace(/^autovacuum: /, ''));
    };
    let sampling: Promise<void> = Promise.resolve();
    const timer = watch ? setInterval(() => (sampling = sampling.then(sample, () => undefined)), 1000) : null;
    if (watch) await sample();
    const first = await measure(0);
    if (timer) clearInterval(timer);
    await sampling;
    if (pg && o.pgStatements) await pgStatements(pg.url, 'while looking up');
    const size = o.store === 'sqlite' ? readdirSync(dataDir).reduce((a, f) => a + statSync(join(dataDir, f)).size, 0) : null;
    console.log(
      table(
        ['store', 'reports', 'reports/s', 'CPU ms/report', 'look-up p50 ms', 'look-up p99 ms', 'CPU ms/look-up', 'recall (>= 2 elsewhere)', 'recall, excerpts', 'false "seen elsewhere"', 'false, >= 2 offices', 'database'],
        [[o.store, sent, Math.round(sent / (sendMs / 1000)), (insertCpu / sent).toFixed(3), first.p50, first.p99, first.cpu, first.recall, first.excerpts, first.falseSeen, first.falseTwo, size === null ? 'postgres' : `${Math.round(size / 1e6)} MB`]],
      ),
    );
    if (watch) {
      console.log(`autovacuum during these look-ups: ${vacuumed.size ? [...vacuumed].join('; ') : 'none seen'}`);
      // the steady state: what autovacuum leaves once it has caught up with the load, then other probes
      const t0 = performance.now();
      await watch.query('VACUUM ANALYZE');
      const vacuumS = (performance.now() - t0) / 1000;
      await watch.end();
      const settled = await measure(1);
      console.log(`\nLook-ups with other probes once VACUUM ANALYZE has run (${vacuumS.toFixed(0)} s):`);
      console.log(table(['look-up p50 ms', 'look-up p99 ms', 'CPU ms/look-up', 'recall (>= 2 elsewhere)', 'recall, excerpts', 'false "seen elsewhere"', 'false, >= 2 offices'], [[settled.p50, settled.p99, settled.cpu, settled.recall, settled.excerpts, settled.falseSeen, settled.falseTwo]]));
    }
  } finally {
    await new Promise<void>((resolve) => {
      if (ch.child.exitCode !== null) return resolve();
      ch.child.once('exit', () => resolve());
      ch.child.kill('SIGTERM');
    });
    pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
