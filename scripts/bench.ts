/**
 * Benchmarks, on loopback only, bounded in time:
 *   npm run bench                 all sections but growth and soak
 *   npm run bench -- http         POST /v1/petitions/score under concurrent load (autocannon)
 *   npm run bench -- rules        scoring in-process, and 1 MB hostile texts; the rules alone, literals first
 *                                 against every rule searching
 *   npm run bench -- fingerprints [--petitions=N]   near-duplicate recall/precision and look-up
 *                                 latency with N (default 100 000) generated petitions stored
 *   npm run bench -- embedding    embedding throughput and added latency
 *   npm run bench -- training [--rows=N]   sito train on an N-row CSV (default 100 000): time, memory
 *   npm run bench -- documents    document extraction per kind, worker pool, OCR pages/s
 *   npm run bench -- track [--petitions=N]  deadlines, formal check, campaign names, register at N stored (default 20 000)
 *   npm run bench -- growth [--sizes=10000,100000] [--data-dir=DIR]   score and search latency (p50/p99) as the store grows
 *   npm run bench -- store [--petitions=N]  the storing transaction through the async store vs the synchronous SQLite core (default 4 000)
 *   npm run bench -- soak [--duration=S] [--connections=8,32] [--window=300]   load with storage on, S seconds shared
 *                                 by the connection counts: throughput (per window), p99, errors, RSS
 *   npm run bench -- clearinghouse [--offices 2500 --campaigns 300 --residents 200000 --reports N
 *                                   --store sqlite|postgres]   the cross-office clearinghouse over HTTP
 *   npm run bench -- rescore [--petitions=N]   sito score on one thread and on every core over N stored petitions (default 100 000)
 *   npm run bench -- instances [--duration=S] [--connections=N] [--search-sizes=100000,1000000] [--copy-size=100000]
 *                                 several instances on one PostgreSQL: scoring 1 vs 3 instances, the
 *                                 campaign transaction under contention, search latency by size
 *   npm run bench -- search [--sizes=10000,100000,1000000] [--store=sqlite|postgres|both]   listing and
 *                                 full-text search (p50/p99) at growing sizes, stores filled with plain SQL
 *   npm run bench -- versus [--duration=S] [--connections=N]   Sito against Rspamd (Debian's, installed
 *                                 when missing), same e-mail, wrk on loopback, best of 2 rounds
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { loadRules, type RuleSet } from '../src/signals/rules/load-rules.js';
import { buildLiteralIndex } from '../src/signals/rules/candidate-starts.js';
import { matchRules } from '../src/signals/rules/match-rules.js';
import { normalise, withoutWrapper, type NormalisedText } from '../src/normalise/normalise.js';
import { benchFingerprints } from './lib/bench-fingerprints.js';
import { benchTraining } from './lib/bench-training.js';
import { benchDocuments } from './lib/bench-documents.js';
import { benchTrack } from './lib/bench-track.js';
import { benchGrowth } from './lib/bench-growth.js';
import { benchStore } from './lib/bench-store.js';
import { benchSoak } from './lib/bench-soak.js';
import { benchClearinghouse, clearinghouseOptions } from './lib/bench-clearinghouse.js';
import { benchVersus, versusOptions } from './lib/bench-versus.js';
import { benchRescore } from './lib/bench-rescore.js';
import { benchInstances, instancesOptions } from './lib/bench-instances.js';
import { benchSearch, searchBenchOptions } from './lib/bench-search.js';
import { loadEmbedder } from '../src/signals/embedding/embedder.js';
import { table } from './lib/corpus.js';
import { serveSito } from './lib/serve.js';

const seedPath = new URL('../../shared/seeds/petition-g1ant-as-received-email.txt', import.meta.url);
function seedText(): string {
  try {
    return readFileSync(seedPath, 'utf8');
  } catch {
    return readFileSync(new URL('../test/fixtures/vendor/led-lighting.txt', import.meta.url), 'utf8').repeat(10);
  }
}

async function benchHttp() {
  const rows: Array<Array<string | number>> = [];
  for (const workers of [1, 2]) await benchHttpWith(workers, rows);
  console.log('\nHTTP POST /v1/petitions/score (autocannon, loopback, server in its own processes)');
  console.log(table(['workers', 'body', 'connections', 'petitions/s', 'p50 ms', 'p99 ms', 'requests'], rows));
}

async function benchHttpWith(workers: number, rows: Array<Array<string | number>>) {
  const text = seedText();
  const sito = await serveSito({}, ['--workers', String(workers)]);
  try {
    for (const [store, connections] of [[false, 1], [false, 8], [true, 8]] as const) {
      const body = JSON.stringify({ text, store });
      // warm-up
      await autocannon({ url: `${sito.url}/v1/petitions/score`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 4, duration: 2 });
      const r = await autocannon({
        url: `${sito.url}/v1/petitions/score`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: 10,
      });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`http bench: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      rows.push([workers, `seed petition (${text.length} chars), store=${store}`, connections, Math.round(r.requests.average), r.latency.p50, r.latency.p99, r.requests.total]);
    }
  } finally {
    await sito.stop();
  }
}

async function benchRules() {
  const config = loadConfig();
  const engine = new Engine({ rules: loadRules(config.rulesFile), thresholds: config.thresholds });
  const text = seedText();
  const rows: Array<Array<string | number>> = [];
  const time = async (label: string, t: string, n: number) => {
    await engine.score({ text: t, store: false });
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await engine.score({ text: t, store: false });
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / n;
    rows.push([label, t.length, ms.toFixed(3)]);
  };
  await time('seed petition', text, 300);
  await time('1 MB: repeated words', 'bezpłatny '.repeat(100_000), 3);
  await time('1 MB: one endless word', 'a'.repeat(1_000_000), 3);
  await time('1 MB: near-miss URLs', `https://${'a.'.repeat(300_000)}`, 3);
  await time('1 MB: § and digits', '§1.1.1.1.'.repeat(110_000), 3);
  await time('1 MB: the seed repeated', text.repeat(Math.ceil(1_000_000 / text.length)).slice(0, 1_000_000), 3);
  console.log('\nIn-process scoring (normalise + rules + decision), one core');
  console.log(table(['input', 'chars', 'ms per petition'], rows));
  benchRulesPrefilter(engine.rules, text);
}

/**
 * The rules alone, the way they run (each rule's literals looked for first, in one pass) against
 * every rule searching the whole text: the same hits, checked here too. Rounds alternate the two
 * ways, and each figure is the median of its rounds.
 */
function benchRulesPrefilter(rules: RuleSet, seed: string) {
  const searching: RuleSet = { ...rules, literalIndex: buildLiteralIndex(rules.rules.map(() => null)) };
  const petitions = (parseCsv(readFileSync(new URL('../data/petitions.csv', import.meta.url)), { columns: true }) as Array<{ text: string }>).map((r) => normalise(r.text));
  const inputs: Array<[string, NormalisedText[], number]> = [
    ['seed petition', [normalise(seed)], 300],
    [`data/ petitions (${petitions.length}), average`, petitions, 5],
    ['1 MB: a rule\'s literal in every 200 characters of one word', [normalise(`online${'a'.repeat(194)}`.repeat(5_000))], 3],
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rows: Array<Array<string | number>> = [];
  for (const [label, texts, reps] of inputs) {
    for (const t of texts) {
      if (JSON.stringify(matchRules(rules, t)) !== JSON.stringify(matchRules(searching, t))) throw new Error(`rules: the literals-first hits differ from searching on ${label}`);
    }
    const run = (set: RuleSet) => {
      const start = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) for (const t of texts) matchRules(set, t);
      return Number(process.hrtime.bigint() - start) / 1e6 / reps / texts.length;
    };
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < 7; round++) {
      a.push(run(searching));
      b.push(run(rules));
    }
    rows.push([label, median(a).toFixed(4), median(b).toFixed(4), (median(a) / median(b)).toFixed(2)]);
  }
  const prefiltered = rules.literalIndex.prefiltered.filter(Boolean).length;
  console.log(`\nThe rules alone, one core: ${prefiltered} of ${rules.rules.length} rules look for their literals first (${rules.literalIndex.literalCount} literals); the same hits either way; median of 7 alternated rounds`);
  console.log(table(['input', 'every rule searching, ms', 'literals first, ms', 'ratio'], rows));
}

/** Embedding throughput on ~3 000-character petitions, and the latency it adds to one scored petition. */
async function benchEmbedding() {
  const config = loadConfig();
  const { embedder, status } = await loadEmbedder(config.embeddingModel, config.modelsDir);
  if (!embedder) throw new Error(`embedding model not loaded: ${status.problem}`);
  const base = seedText();
  const texts = Array.from({ length: 64 }, (_, i) => withoutWrapper(base).slice(i * 40, i * 40 + 3000));
  await embedder.embed(texts.slice(0, 8));
  const rows: Array<Array<string | number>> = [];
  for (const batch of [1, 16, 64]) {
    const rounds = Math.ceil(256 / batch);
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) await embedder.embed(texts.slice(0, batch));
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    rows.push([batch, rounds * batch, Math.round((rounds * batch) / s), ((s * 1000) / rounds).toFixed(2)]);
  }
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    await embedder.embed([base]);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((a, b) => a - b);
  console.log(`\nEmbedding (${embedder.name}, ${embedder.dimension} dimensions), texts of 3 000 characters, one core`);
  console.log(table(['batch', 'texts', 'petitions/s', 'ms per call'], rows));
  console.log(`added latency for the ${base.length}-character seed petition: p50 ${lat[100]!.toFixed(2)} ms, p99 ${lat[198]!.toFixed(2)} ms`);
}

const sizeArg = process.argv.find((a) => a.startsWith('--petitions='));
const rowsArg = process.argv.find((a) => a.startsWith('--rows='));
const listArg = (name: string, fallback: number[]) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.split('=')[1]!.split(',').map(Number) : fallback;
};
const sections: Record<string, () => unknown> = {
  rules: benchRules,
  http: benchHttp,
  fingerprints: () => benchFingerprints(sizeArg ? Number(sizeArg.split('=')[1]) : 100_000),
  embedding: benchEmbedding,
  training: () => benchTraining(rowsArg ? Number(rowsArg.split('=')[1]) : 100_000),
  documents: benchDocuments,
  track: () => benchTrack(sizeArg ? Number(sizeArg.split('=')[1]) : 20_000),
  growth: () => benchGrowth(listArg('sizes', [10_000, 100_000]), process.argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length)),
  store: () => benchStore(sizeArg ? Number(sizeArg.split('=')[1]) : 4000),
  soak: () => benchSoak(listArg('duration', [60])[0]!, listArg('connections', [8, 32]), listArg('window', [300])[0]!),
  clearinghouse: () => benchClearinghouse(clearinghouseOptions(process.argv.slice(2))),
  versus: () => benchVersus(versusOptions(process.argv.slice(2))),
  rescore: () => benchRescore(sizeArg ? Number(sizeArg.split('=')[1]) : 100_000),
  instances: () => benchInstances(instancesOptions(process.argv.slice(2))),
  search: () => benchSearch(searchBenchOptions(process.argv.slice(2))),
};
const args = process.argv.slice(2);
// "--offices 2500": a value after a --name is not a section
const wanted = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && /^--[a-z-]+$/.test(args[i - 1]!)));
// growth, soak and clearinghouse fill stores and run for many minutes, versus installs and starts
// Rspamd: only when named
const heavy = new Set(['growth', 'soak', 'clearinghouse', 'versus', 'rescore', 'instances', 'search']);
for (const name of wanted.length ? wanted : Object.keys(sections).filter((k) => !heavy.has(k))) {
  const fn = sections[name];
  if (!fn) throw new Error(`unknown bench section ${name}; sections: ${Object.keys(sections).join(', ')}`);
  await fn();
}
