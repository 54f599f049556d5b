import type { Thresholds } from '../config.js';
import { Engine, rulesVersion } from '../engine.js';
import { readLabelledCsv } from '../ingest/labelled-csv.js';
import type { RuleSet } from '../signals/rules/load-rules.js';
import { metrics, type Metrics } from './metrics.js';
import { embeddingDimension, roundContribution, type Model } from './model.js';
import { TEMPLATE_FEATURES, type FeatureVector } from './features.js';
import { combine } from './combine.js';
import type { Reason } from '../decision/result.js';
import type { Embedder } from '../signals/embedding/embedder.js';
import { analyseTexts, asAnalysis } from './analysis-pool.js';
import type { Example, Parallel } from './train.js';

export interface Evaluation {
  version: string;
  atHigh: Metrics;
  atReview: Metrics;
  /** recall of mass at level high, and share of regular flagged high, per family (when the file has one) */
  families: Array<{ family: string; label: 'mass' | 'regular'; n: number; high: number }>;
}

/**
 * Scores every row of a labelled CSV with one model (or the rules alone, `model` null) and measures
 * it at the active thresholds. Each petition is scored on its own text (no store: no campaign signal).
 */
export async function evaluateFile(
  file: string,
  rules: RuleSet,
  thresholds: Thresholds,
  models: Array<Model | null>,
  embedder: Embedder | null = null,
  parallel: Parallel | null = null,
): Promise<Evaluation[]> {
  const engines = models.map((model) => new Engine({ rules, thresholds, model }));
  const scores: number[][] = engines.map(() => []);
  const ys: number[] = [];
  const fams: Array<string | null> = [];
  const analysed = analyseTexts(readLabelledCsv(file), (row) => row.text, { engine: engines[0]!, embedder, jobs: parallel?.jobs ?? 1, source: parallel?.source ?? null, full: true });
  for await (const { item: row, analysis: pooled } of analysed) {
    ys.push(row.label === 'mass' ? 1 : 0);
    fams.push(row.family);
    const analysis = asAnalysis(pooled);
    const vector = pooled.vector ?? undefined;
    engines.forEach((e, i) => scores[i]!.push(e.scoreAnalysis('', analysis, vector).score));
    parallel?.onRow?.();
  }
  return engines.map((e, i) => evaluation(e.modelVersion, scores[i]!, ys, fams, thresholds));
}

/** Metrics of one model's scores over the rows, at both thresholds and per family. */
function evaluation(version: string, s: number[], ys: number[], fams: Array<string | null>, thresholds: Thresholds): Evaluation {
  const byFamily = new Map<string, { family: string; label: 'mass' | 'regular'; n: number; high: number }>();
  s.forEach((v, j) => {
    const f = fams[j];
    if (f === null || f === undefined) return;
    const rec = byFamily.get(f) ?? { family: f, label: ys[j] === 1 ? 'mass' : 'regular', n: 0, high: 0 };
    rec.n++;
    if (v >= thresholds.high) rec.high++;
    byFamily.set(f, rec);
  });
  return {
    version,
    atHigh: metrics(s, ys, thresholds.high),
    atReview: metrics(s, ys, thresholds.review),
    families: [...byFamily.values()].sort((a, b) => a.label.localeCompare(b.label) || a.family.localeCompare(b.family)),
  };
}

/**
 * The score `Engine.scoreAnalysis` gives a petition on its own (no store: no template or
 * neighbour), computed from its training features instead of a second analysis: the same reasons
 * in the same order, each rounded as a reason's contribution is. One difference: the n-grams are
 * summed in bucket order, not in order of first occurrence, so a sum within rounding error of a
 * contribution's third decimal could round the other way.
 */
export function scoreFeatures(model: Model | null, rules: RuleSet, x: FeatureVector): number {
  const nRules = rules.rules.length;
  const contributions: number[] = [];
  if (!model) {
    for (let j = 0; j < nRules; j++) if (x.dense[j]) contributions.push(rules.rules[j]!.weight);
    return combineContributions(rules.bias, contributions);
  }
  const { a, b } = model.artifact.calibration;
  const w = model.weights;
  for (let j = 0; j < nRules; j++) {
    if (!x.dense[j]) continue;
    const i = model.ruleIndex.get(rules.rules[j]!.id);
    if (i !== undefined) contributions.push(roundContribution(a * w.dense[i]!));
  }
  const vectorAt = nRules + TEMPLATE_FEATURES.length;
  const dims = embeddingDimension(model);
  if (dims > 0 && x.dense.length - vectorAt === dims) {
    const off = model.artifact.rules.ids.length + TEMPLATE_FEATURES.length;
    let e = 0;
    for (let i = 0; i < dims; i++) e += w.dense[off + i]! * x.dense[vectorAt + i]!;
    contributions.push(roundContribution(a * e));
  }
  let ngramSum = 0;
  for (let k = 0; k < x.ngrams.length; k++) ngramSum += w.ngram[x.ngrams[k]!]!;
  contributions.push(roundContribution(a * (ngramSum * x.ngramValue)));
  return combineContributions(a * w.bias + b, contributions);
}

/** The score `combine` makes of a baseline and reasons with these contributions, in this order. */
const combineContributions = (baseline: number, contributions: number[]) => combine(baseline, contributions.map((contribution) => ({ contribution }) as Reason)).score;

/**
 * evaluateFile over a training file's examples (see `scoreFeatures`): the comparison after training
 * reads the features training made instead of analysing every row again.
 */
export function evaluateExamples(examples: readonly Example[], rules: RuleSet, thresholds: Thresholds, models: Array<Model | null>): Evaluation[] {
  const ys = examples.map((e) => e.y);
  return models.map((m) => evaluation(m?.artifact.version ?? rulesVersion(rules), examples.map((e) => scoreFeatures(m, rules, e.x)), ys, examples.map((e) => e.family), thresholds));
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Side-by-side report of one or more evaluations of the same file. */
export function formatEvaluations(evals: Evaluation[], thresholds: Thresholds): string {
  const out: string[] = [];
  const metricRows: Array<[string, (m: Evaluation) => string]> = [
    ['precision (high)', (e) => f3(e.atHigh.precision)],
    ['recall of mass (high)', (e) => f3(e.atHigh.recall)],
    ['F1 (high)', (e) => f3(e.atHigh.f1)],
    ['regular flagged high', (e) => f3(e.atHigh.falsePositiveRate)],
    ['recall of mass (review or high)', (e) => f3(e.atReview.recall)],
    ['regular flagged review or high', (e) => f3(e.atReview.falsePositiveRate)],
    ['ROC-AUC', (e) => f3(e.atHigh.rocAuc)],
    ['PR-AUC', (e) => f3(e.atHigh.prAuc)],
    ['confusion at high (tp fp tn fn)', (e) => `${e.atHigh.confusion.tp} ${e.atHigh.confusion.fp} ${e.atHigh.confusion.tn} ${e.atHigh.confusion.fn}`],
  ];
  out.push(`thresholds: high ${thresholds.high}, review ${thresholds.review}; ${evals[0]?.atHigh.n ?? 0} petitions (${evals[0]?.atHigh.positives ?? 0} mass)`);
  out.push(table(['metric', ...evals.map((e) => e.version)], metricRows.map(([name, fn]) => [name, ...evals.map(fn)])));
  const families = evals[0]?.families ?? [];
  if (families.length) {
    out.push('');
    out.push('per family: petitions at level high (mass: recall; regular: false alarms)');
    out.push(table(['family', 'label', 'n', ...evals.map((e) => e.version)], families.map((f, i) => [f.family, f.label, String(f.n), ...evals.map((e) => `${e.families[i]!.high}/${f.n}`)])));
  }
  return out.join('\n');
}
