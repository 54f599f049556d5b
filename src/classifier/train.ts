import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Thresholds } from '../config.js';
import type { Engine } from '../engine.js';
import { readLabelledCsv, type LabelledRow } from '../ingest/labelled-csv.js';
import type { Fingerprint } from '../signals/fingerprint/minhash.js';
import { analyseTexts, type AnalysisSource } from './analysis-pool.js';
import type { Embedder } from '../signals/embedding/embedder.js';
import { MemoryIndex } from '../signals/fingerprint/memory-index.js';
import { seededRandom as rand } from '../random.js';
import { featureVectorOf, NGRAM_BITS, MAX_NGRAMS, NGRAM_SIZES, TEMPLATE_FEATURES, type FeatureVector } from './features.js';
import { fitMany } from './fit-pool.js';
import { SharedArena } from './shared-arena.js';
import { DEFAULT_TRAIN, fitPlatt, linear, sigmoid, type TrainOptions } from './logistic.js';
import { metrics, type Metrics } from './metrics.js';
import { toArtifact, type ModelArtifact } from './model.js';

export interface Example {
  x: FeatureVector;
  y: 0 | 1;
  family: string | null;
  id: string | null;
}

export interface PreparedData {
  examples: Example[];
  sha256: string;
  file: string;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}


/** A labelled petition as training reads it (a CSV row, or a line of a labelled JSONL corpus). */
export type TrainingRow = Pick<LabelledRow, 'text' | 'label' | 'family' | 'id'>;

/**
 * Reads a labelled CSV (streamed) into feature vectors (see `prepareRows`).
 */
export async function prepareData(engine: Engine, file: string, embedder: Embedder | null = null, seed = 11, parallel: Parallel | null = null): Promise<PreparedData> {
  const examples = await prepareRows(engine, readLabelledCsv(file), embedder, seed, parallel);
  return { examples, sha256: await sha256File(file), file };
}

/** Threads for the per-row analysis, and where they find the rules and embedding model. */
export interface Parallel {
  jobs: number;
  source: AnalysisSource;
  /** called after each row is analysed (a progress bar) */
  onRow?: () => void;
}

/**
 * Labelled rows into feature vectors. The template features are simulated as an office would meet
 * them: petitions arrive in a random order, `template:repeats` counts the earlier near-duplicates,
 * and a petition whose template was seen before is "known" (with the earlier copy's label) three
 * times in ten, as if a shared library had it. The per-row analysis (the scoring pipeline's) runs
 * on `parallel.jobs` threads when given; the result does not depend on it.
 */
export async function prepareRows(
  engine: Engine,
  rows: AsyncIterable<TrainingRow> | Iterable<TrainingRow>,
  embedder: Embedder | null = null,
  seed = 11,
  parallel: Parallel | null = null,
): Promise<Example[]> {
  const ruleIds = engine.rules.rules.map((r) => r.id);
  type Item = { fp: Fingerprint; hits: Array<{ id: string }>; ngrams: Uint32Array; y: 0 | 1; family: string | null; id: string | null; vector: Float32Array | null };
  const items: Item[] = [];
  // the vectors in shared memory, where threads fitting the models read them in place; each row's
  // n-grams go there as they arrive, so a file's n-grams are held once
  const arena = new SharedArena();
  const analysed = analyseTexts(rows, (row) => row.text, { engine, embedder, jobs: parallel?.jobs ?? 1, source: parallel?.source ?? null, full: false });
  for await (const { item: row, analysis: a } of analysed) {
    items.push({ fp: a.fingerprint, hits: a.hits.map((h) => ({ id: h.id })), ngrams: arena.uint32(a.ngrams!), y: row.label === 'mass' ? 1 : 0, family: row.family, id: row.id, vector: a.vector });
    parallel?.onRow?.();
  }
  const r = rand(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const index = new MemoryIndex<number>();
  const examples: Example[] = new Array(items.length);
  for (const i of order) {
    const it = items[i]!;
    const earlier = it.fp.shingles > 0 ? index.nearDuplicates(it.fp) : [];
    const known = earlier.length > 0 && r() < 0.3 ? (items[earlier[0]!]!.y === 1 ? 'mass' : 'regular') : null;
    examples[i] = { x: arena.adopt(featureVectorOf(ruleIds, it.hits, { repeats: Math.min(earlier.length, 50), known }, it.ngrams, it.vector)), y: it.y, family: it.family, id: it.id };
    index.add(it.fp, i);
  }
  return examples;
}

/** Fold of each example: by family when the file has one (a campaign never straddles train and test), else stratified by label. */
export function assignFolds(examples: readonly Example[], k: number, seed = 3): { folds: number[]; groupedBy: string | null } {
  const r = rand(seed);
  const grouped = examples.every((e) => e.family !== null);
  const folds = new Array<number>(examples.length);
  if (grouped) {
    const families = [...new Set(examples.map((e) => `${e.y}:${e.family}`))];
    for (let i = families.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [families[i], families[j]] = [families[j]!, families[i]!];
    }
    // deal families of each label round-robin, so folds stay balanced
    const foldOf = new Map<string, number>();
    let nextMass = 0;
    let nextReg = 0;
    for (const f of families) foldOf.set(f, f.startsWith('1:') ? nextMass++ % k : nextReg++ % k);
    examples.forEach((e, i) => (folds[i] = foldOf.get(`${e.y}:${e.family}`)!));
    return { folds, groupedBy: 'family' };
  }
  let nextMass = 0;
  let nextReg = 0;
  const order = examples.map((_, i) => i).sort(() => r() - 0.5);
  for (const i of order) folds[i] = examples[i]!.y === 1 ? nextMass++ % k : nextReg++ % k;
  return { folds, groupedBy: null };
}

export function optionsFor(n: number): TrainOptions {
  // fewer passes over large files: 40 epochs up to 2 000 rows, then down to 4 for 100 000
  return { ...DEFAULT_TRAIN, epochs: Math.max(4, Math.min(40, Math.round(80_000 / Math.max(n, 1)))) };
}

export interface TrainResult {
  artifact: ModelArtifact;
  outOfFold: number[];
}

/** The prior of the dense weights: the rules file's weights, and the template signal's fixed weights. */
export function priorWeights(rules: { bias: number; rules: Array<{ weight: number }> }, embeddingDimension = 0): { bias: number; dense: Float64Array } {
  return { bias: rules.bias, dense: Float64Array.from([...rules.rules.map((r) => r.weight), 0.9, 3.5, ...new Array<number>(embeddingDimension).fill(0)]) };
}

/**
 * Stratified (or family-grouped) k-fold cross-validation for honest figures and the calibration,
 * then the final fit on every row. The fits are independent and run on `ctx.jobs` threads.
 */
export async function trainModel(
  data: PreparedData,
  ctx: {
    ruleIds: string[];
    rulesFingerprint: string;
    prior: { bias: number; dense: Float64Array };
    embedding: string | null;
    thresholds: Thresholds;
    version: string;
    k?: number;
    options?: Partial<TrainOptions>;
    /** threads for the fits (the result does not depend on it) */
    jobs?: number;
    /** a progress bar over the fits, given their number */
    fitProgress?: (fits: number) => { tick: () => void; done: () => void };
  },
): Promise<TrainResult> {
  const started = process.hrtime.bigint();
  const { examples } = data;
  const ys: Array<0 | 1> = examples.map((e) => e.y);
  const mass = ys.filter((y) => y === 1).length;
  if (mass === 0 || mass === ys.length) {
    throw new Error(`${data.file}: all ${ys.length} petitions are labelled ${mass ? 'mass' : 'regular'}; training needs both labels`);
  }
  const k = Math.max(2, Math.min(ctx.k ?? 5, mass, ys.length - mass));
  const opts = { ...optionsFor(examples.length), ...ctx.options };
  const { folds, groupedBy } = assignFolds(examples, k);
  const z = new Array<number>(examples.length).fill(0);
  // the folds' fits and the final fit are independent: on `jobs` threads when given
  const everyRow = Uint32Array.from(examples.keys());
  const foldsFitted: number[] = [];
  const fits = [];
  for (let f = 0; f < k; f++) {
    const train = everyRow.filter((i) => folds[i] !== f);
    if (!train.some((i) => ys[i] === 1) || !train.some((i) => ys[i] === 0)) continue;
    foldsFitted.push(f);
    fits.push({ rows: train, options: opts, prior: ctx.prior });
  }
  fits.push({ rows: everyRow, options: opts, prior: ctx.prior });
  const bar = ctx.fitProgress?.(fits.length);
  const weights = await fitMany(examples.map((e) => e.x), ys, fits, ctx.jobs ?? 1, bar?.tick);
  bar?.done();
  foldsFitted.forEach((f, j) => {
    examples.forEach((e, i) => {
      if (folds[i] === f) z[i] = linear(weights[j]!, e.x);
    });
  });
  const calibration = fitPlatt(z, ys);
  const oof = z.map((v) => sigmoid(calibration.a * v + calibration.b));
  const w = weights[weights.length - 1]!;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const clean = (m: Metrics) => Object.fromEntries(Object.entries(m).map(([key, v]) => [key, typeof v === 'number' && Number.isNaN(v) ? null : v])) as unknown as Metrics;
  const artifact = toArtifact(
    {
      version: ctx.version,
      created_at: new Date().toISOString(),
      rules: { fingerprint: ctx.rulesFingerprint, ids: ctx.ruleIds },
      embedding: ctx.embedding,
      calibration,
      card: {
        data: {
          file: data.file.split('/').pop()!,
          sha256: data.sha256,
          rows: examples.length,
          mass,
          regular: examples.length - mass,
          families: groupedBy ? new Set(examples.map((e) => e.family)).size : null,
        },
        features: { rules: ctx.ruleIds.length, template: [...TEMPLATE_FEATURES], ngram: `character ${NGRAM_SIZES.join('/')}-grams, ${2 ** NGRAM_BITS} hashed buckets, ≤${MAX_NGRAMS} per petition` },
        cross_validation: { folds: k, grouped_by: groupedBy, at_high: clean(metrics(oof, ys, ctx.thresholds.high)), at_review: clean(metrics(oof, ys, ctx.thresholds.review)) },
        thresholds: ctx.thresholds,
        training: { seconds: Math.round(seconds * 10) / 10, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), options: { ...opts } },
      },
    },
    w,
  );
  return { artifact, outOfFold: oof };
}
