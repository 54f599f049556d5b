import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Reason } from '../decision/result.js';
import { toOriginalSpan, type NormalisedText } from '../normalise/normalise.js';
import { SCHEME } from '../signals/fingerprint/minhash.js';
import type { RuleHit } from '../signals/rules/match-rules.js';
import { collectNgrams, MAX_NGRAMS, NGRAM_BITS, NGRAM_BUCKETS, NGRAM_HASH, NGRAM_SIZES, TEMPLATE_FEATURES, type TemplateEvidence } from './features.js';
import type { LinearWeights } from './logistic.js';

const MetricsSchema = z.object({
  n: z.number(),
  positives: z.number(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  f1: z.number().nullable(),
  falsePositiveRate: z.number().nullable(),
  rocAuc: z.number().nullable(),
  prAuc: z.number().nullable(),
  confusion: z.object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() }),
});

export const ModelCardSchema = z.object({
  data: z.object({ file: z.string(), sha256: z.string(), rows: z.number(), mass: z.number(), regular: z.number(), families: z.number().nullable(), sources: z.array(z.string()).optional() }),
  features: z.object({ rules: z.number(), template: z.array(z.string()), ngram: z.string() }),
  cross_validation: z.object({ folds: z.number(), grouped_by: z.string().nullable(), at_high: MetricsSchema, at_review: MetricsSchema }),
  thresholds: z.object({ high: z.number(), review: z.number() }),
  training: z.object({ seconds: z.number(), peak_rss_mb: z.number(), options: z.record(z.string(), z.union([z.number(), z.boolean()])) }),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

export const ModelArtifactSchema = z.object({
  format: z.literal('sito-model/1'),
  version: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/),
  created_at: z.string(),
  rules: z.object({ fingerprint: z.string(), ids: z.array(z.string()) }),
  fingerprint_scheme: z.string(),
  embedding: z.string().nullable(),
  ngram: z.object({ bits: z.number(), sizes: z.array(z.number()), max: z.number(), hash: z.string() }),
  weights: z.object({ bias: z.number(), dense: z.array(z.number()), ngram: z.array(z.tuple([z.number(), z.number()])) }),
  calibration: z.object({ a: z.number(), b: z.number() }),
  card: ModelCardSchema,
});
export type ModelArtifact = z.infer<typeof ModelArtifactSchema>;

/** A loaded model: the artifact plus its weights in arrays, ready to score. */
export interface Model {
  artifact: ModelArtifact;
  weights: LinearWeights;
  /** rule id → its weight's index */
  ruleIndex: Map<string, number>;
}

export function toArtifact(meta: Omit<ModelArtifact, 'weights' | 'format' | 'ngram' | 'fingerprint_scheme'>, w: LinearWeights): ModelArtifact {
  const ngram: Array<[number, number]> = [];
  for (let b = 0; b < w.ngram.length; b++) {
    const v = w.ngram[b]!;
    if (Math.abs(v) >= 1e-4) ngram.push([b, Math.round(v * 1e5) / 1e5]);
  }
  return {
    format: 'sito-model/1',
    ...meta,
    fingerprint_scheme: SCHEME,
    ngram: { bits: NGRAM_BITS, sizes: [...NGRAM_SIZES], max: MAX_NGRAMS, hash: NGRAM_HASH },
    weights: { bias: w.bias, dense: [...w.dense].map((v) => Math.round(v * 1e6) / 1e6), ngram },
  };
}

export class ModelError extends Error {}

/**
 * Checks that a model can run here: same feature layout, same rules (ids and order), same
 * fingerprint scheme, same embedding model. A model trained under other conditions is refused.
 */
export function fromArtifact(a: ModelArtifact, env: { ruleIds: readonly string[]; embedding: string | null }): Model {
  if (a.ngram.bits !== NGRAM_BITS || a.ngram.max !== MAX_NGRAMS || a.ngram.sizes.join() !== NGRAM_SIZES.join() || a.ngram.hash !== NGRAM_HASH) {
    throw new ModelError(`model ${a.version} uses another n-gram layout; retrain it with this Sito`);
  }
  if (a.fingerprint_scheme !== SCHEME) throw new ModelError(`model ${a.version} was trained with fingerprint scheme ${a.fingerprint_scheme}, this Sito uses ${SCHEME}; retrain it`);
  if (a.embedding !== env.embedding) {
    throw new ModelError(`model ${a.version} was trained with embedding model ${a.embedding ?? 'none'}, but ${env.embedding ?? 'none'} is loaded; retrain it or load that embedding model`);
  }
  if (a.rules.ids.join('\n') !== env.ruleIds.join('\n')) {
    throw new ModelError(`model ${a.version} was trained with another rule set (${a.rules.ids.length} rules, ${a.rules.fingerprint}); retrain it with the rules in use`);
  }
  const extra = a.weights.dense.length - a.rules.ids.length - TEMPLATE_FEATURES.length;
  if (extra < 0 || (extra > 0) !== (a.embedding !== null)) throw new ModelError(`model ${a.version}: weights do not match its features`);
  const ngram = new Float32Array(NGRAM_BUCKETS);
  for (const [b, v] of a.weights.ngram) ngram[b] = v;
  return { artifact: a, weights: { bias: a.weights.bias, dense: Float64Array.from(a.weights.dense), ngram }, ruleIndex: new Map(a.rules.ids.map((id, i) => [id, i])) };
}

export function readArtifact(path: string): ModelArtifact {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelError(`model file ${path}: ${(e as Error).message}`);
  }
  const parsed = ModelArtifactSchema.safeParse(raw);
  if (!parsed.success) throw new ModelError(`model file ${path}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** A reason's contribution as every verdict carries it: three decimals. */
export const roundContribution = (x: number) => Math.round(x * 1000) / 1000;
/** N-grams shown as evidence of the n-gram reason. */
const NGRAM_EVIDENCE = 6;

/** The dimension of the embedding a model was trained with (0 without one). */
export const embeddingDimension = (m: Model) => m.weights.dense.length - m.artifact.rules.ids.length - TEMPLATE_FEATURES.length;

/**
 * Scores with a model and explains it in the additive log-odds every reason speaks: the calibrated
 * logit a·(w·x + bias) + b is split into the baseline, one reason per fired rule, one for the
 * template features, one for the embedding vector, and one for the n-grams (with the phrases that
 * weigh most as evidence).
 */
export function explainWithModel(
  model: Model,
  text: NormalisedText,
  hits: readonly RuleHit[],
  template: TemplateEvidence,
  templateReason: Reason | null,
  vector?: Float32Array,
  /** this text's n-gram reason under this model, when the caller made it already (ngramReason) */
  ngrams: Reason = ngramReason(model, text),
): { baseline: number; reasons: Reason[] } {
  const { a, b } = model.artifact.calibration;
  const ids = model.artifact.rules.ids;
  const w = model.weights;
  const reasons: Reason[] = [];
  for (const h of hits) {
    const i = model.ruleIndex.get(h.id);
    if (i === undefined) continue;
    reasons.push({ signal: 'rule', id: h.id, description: h.description, trait: h.trait, contribution: roundContribution(a * w.dense[i]!), evidence: h.evidence });
  }
  const t = ids.length;
  const repeats = template.known === 'regular' ? 0 : Math.log1p(template.repeats);
  const tpl = a * (w.dense[t]! * repeats + w.dense[t + 1]! * (template.known === 'mass' ? 1 : 0));
  if (templateReason) reasons.push({ ...templateReason, contribution: roundContribution(tpl) });
  const dims = embeddingDimension(model);
  if (dims > 0 && vector && vector.length === dims) {
    const off = t + TEMPLATE_FEATURES.length;
    let e = 0;
    for (let i = 0; i < dims; i++) e += w.dense[off + i]! * vector[i]!;
    reasons.push({
      signal: 'embedding',
      id: 'embedding_features',
      contribution: roundContribution(a * e),
      description: e >= 0 ? 'Wydźwięk całej treści (model osadzeń) typowy dla petycji masowych i ofert' : 'Wydźwięk całej treści (model osadzeń) typowy dla zwykłych petycji mieszkańców',
      evidence: [],
    });
  }
  reasons.push(ngrams);
  return { baseline: a * w.bias + b, reasons };
}

/**
 * The n-gram reason: the sum of the text's n-gram weights and the phrases that weigh most. It
 * depends on the text and the model alone (not on the template or the store), so a caller can
 * make it before a write transaction instead of inside it.
 */
export function ngramReason(model: Model, text: NormalisedText): Reason {
  const { a } = model.artifact.calibration;
  const w = model.weights;
  // n-grams: one pass gives the sum and where the weightiest ones stand
  const ng = collectNgrams(text.bytes);
  const value = ng.buckets.length ? 1 / Math.sqrt(ng.buckets.length) : 0;
  let ngramSum = 0;
  // the NGRAM_EVIDENCE weightiest n-grams (by |weight|, the first occurrence first among equals),
  // kept in order as the pass goes: a full sort of every weighted n-gram cost more than the sum
  const top: number[] = [];
  const weightOf = (k: number) => Math.abs(w.ngram[ng.buckets[k]!]!);
  for (let k = 0; k < ng.buckets.length; k++) {
    const v = w.ngram[ng.buckets[k]!]!;
    ngramSum += v;
    if (v === 0) continue;
    const m = Math.abs(v);
    if (top.length === NGRAM_EVIDENCE && m <= weightOf(top[NGRAM_EVIDENCE - 1]!)) continue;
    let at = top.length;
    while (at > 0 && weightOf(top[at - 1]!) < m) at--;
    top.splice(at, 0, k);
    if (top.length > NGRAM_EVIDENCE) top.pop();
  }
  ngramSum *= value;
  return {
    signal: 'model',
    id: 'ngrams',
    description: ngramSum >= 0 ? 'Sformułowania typowe dla petycji masowych i ofert (model uczony na oznaczonych petycjach)' : 'Sformułowania typowe dla zwykłych petycji mieszkańców (model uczony na oznaczonych petycjach)',
    contribution: roundContribution(a * ngramSum),
    evidence: ngramEvidence(text, top.map((k) => [ng.start[k]!, ng.start[k]! + ng.length[k]!] as [number, number])),
  };
}

/** The strongest n-grams' first occurrences, widened to whole words, in the original text. */
function ngramEvidence(text: NormalisedText, spans: Array<[number, number]>) {
  const f = text.folded;
  const isWord = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  const out: Array<{ start: number; end: number; text: string }> = [];
  for (const [s0, e0] of spans.sort((p, q) => p[0] - q[0])) {
    let st = s0;
    let en = e0;
    while (st > 0 && isWord(f[st - 1])) st--;
    while (en < f.length && isWord(f[en])) en++;
    while (st < en && !isWord(f[st])) st++;
    while (en > st && !isWord(f[en - 1])) en--;
    if (en <= st) continue;
    const o = toOriginalSpan(text, st, en);
    if (out.some((e) => e.start === o.start)) continue;
    out.push({ start: o.start, end: o.end, text: text.original.slice(o.start, o.end) });
  }
  return out;
}
