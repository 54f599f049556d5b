import type { FeatureVector } from './features.js';
import { NGRAM_BUCKETS } from './features.js';

/** Weights of a logistic regression over FeatureVectors. */
export interface LinearWeights {
  bias: number;
  dense: Float64Array;
  ngram: Float32Array;
}

export function linear(w: LinearWeights, x: FeatureVector): number {
  let z = w.bias;
  for (let i = 0; i < x.dense.length; i++) z += w.dense[i]! * x.dense[i]!;
  let s = 0;
  for (let i = 0; i < x.ngrams.length; i++) s += w.ngram[x.ngrams[i]!]!;
  return z + s * x.ngramValue;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export interface TrainOptions {
  /** L2 penalty on the dense (rule, template) weights */
  l2Dense: number;
  /** L2 penalty on the n-gram weights (many, sparse: penalised harder) */
  l2Ngram: number;
  epochs: number;
  batch: number;
  learningRate: number;
  seed: number;
  /** weight of each class in the loss, so an unbalanced file does not tilt the model */
  balance: boolean;
}

/** l2 values chosen by family-grouped cross-validation on data/petitions.csv (recall at the high threshold). */
export const DEFAULT_TRAIN: TrainOptions = { l2Dense: 1e-2, l2Ngram: 1e-2, epochs: 40, batch: 32, learningRate: 0.05, seed: 7, balance: true };

function shuffle(n: number, seed: number): Uint32Array {
  const idx = new Uint32Array(n).map((_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/**
 * Regularised logistic regression by mini-batch Adam, with lazily applied L2 on the sparse n-gram
 * weights (only the buckets a batch touches are updated). Deterministic for a given seed.
 *
 * With a `prior`, the dense weights are pulled towards it instead of towards zero (a Gaussian prior
 * centred on the rules file's weights): the data adjusts the experts' weights where it has evidence,
 * and leaves them where it has none, instead of erasing every rule the training file never shows.
 */
export function trainLogistic(
  xs: readonly FeatureVector[],
  ys: readonly number[],
  opts: TrainOptions = DEFAULT_TRAIN,
  prior: { bias: number; dense: Float64Array } | null = null,
): LinearWeights {
  const d = xs[0]?.dense.length ?? 0;
  const p0 = prior?.dense ?? new Float64Array(d);
  const w: LinearWeights = { bias: prior?.bias ?? 0, dense: Float64Array.from(p0), ngram: new Float32Array(NGRAM_BUCKETS) };
  const pos = ys.filter((y) => y === 1).length;
  const neg = ys.length - pos;
  const cw = (y: number) => (!opts.balance || pos === 0 || neg === 0 ? 1 : y === 1 ? ys.length / (2 * pos) : ys.length / (2 * neg));
  // Adam state
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let mb = 0, vb = 0;
  const md = new Float64Array(d), vd = new Float64Array(d);
  const mn = new Float32Array(NGRAM_BUCKETS), vn = new Float32Array(NGRAM_BUCKETS);
  const gd = new Float64Array(d);
  // n-gram gradient of a batch: accumulated in place, over the buckets the batch touched
  const gn = new Float32Array(NGRAM_BUCKETS);
  const touched = new Uint32Array(NGRAM_BUCKETS);
  const isTouched = new Uint8Array(NGRAM_BUCKETS);
  let t = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = shuffle(xs.length, opts.seed + epoch);
    for (let start = 0; start < order.length; start += opts.batch) {
      const end = Math.min(order.length, start + opts.batch);
      gd.fill(0);
      let nTouched = 0;
      let gb = 0;
      for (let k = start; k < end; k++) {
        const i = order[k]!;
        const x = xs[i]!;
        const err = (sigmoid(linear(w, x)) - ys[i]!) * cw(ys[i]!);
        gb += err;
        for (let j = 0; j < d; j++) if (x.dense[j]) gd[j] = gd[j]! + err * x.dense[j]!;
        const v = err * x.ngramValue;
        for (let j = 0; j < x.ngrams.length; j++) {
          const b = x.ngrams[j]!;
          if (!isTouched[b]) {
            isTouched[b] = 1;
            touched[nTouched++] = b;
            gn[b] = 0;
          }
          gn[b] = gn[b]! + v;
        }
      }
      const m = end - start;
      t++;
      const lr = (opts.learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      gb /= m;
      mb = b1 * mb + (1 - b1) * gb;
      vb = b2 * vb + (1 - b2) * gb * gb;
      w.bias -= (lr * mb) / (Math.sqrt(vb) + eps);
      for (let j = 0; j < d; j++) {
        const g = gd[j]! / m + opts.l2Dense * (w.dense[j]! - p0[j]!);
        md[j] = b1 * md[j]! + (1 - b1) * g;
        vd[j] = b2 * vd[j]! + (1 - b2) * g * g;
        w.dense[j]! -= (lr * md[j]!) / (Math.sqrt(vd[j]!) + eps);
      }
      for (let k = 0; k < nTouched; k++) {
        const b = touched[k]!;
        isTouched[b] = 0;
        const g = gn[b]! / m + opts.l2Ngram * w.ngram[b]!;
        mn[b] = b1 * mn[b]! + (1 - b1) * g;
        vn[b] = b2 * vn[b]! + (1 - b2) * g * g;
        w.ngram[b]! -= (lr * mn[b]!) / (Math.sqrt(vn[b]!) + eps);
      }
    }
  }
  return w;
}

/** Platt scaling: fits p = σ(a·z + b) to held-out scores z by Newton's method. */
export function fitPlatt(zs: readonly number[], ys: readonly number[]): { a: number; b: number } {
  const pos = ys.filter((y) => y === 1).length;
  const neg = ys.length - pos;
  // Platt's smoothed targets avoid infinite slopes on separable data
  const tPos = (pos + 1) / (pos + 2);
  const tNeg = 1 / (neg + 2);
  let a = 1, b = 0;
  for (let it = 0; it < 100; it++) {
    let gA = 0, gB = 0, hAA = 1e-9, hAB = 0, hBB = 1e-9;
    for (let i = 0; i < zs.length; i++) {
      const p = sigmoid(a * zs[i]! + b);
      const t = ys[i] === 1 ? tPos : tNeg;
      const r = p - t;
      const s = p * (1 - p);
      gA += r * zs[i]!;
      gB += r;
      hAA += s * zs[i]! * zs[i]!;
      hAB += s * zs[i]!;
      hBB += s;
    }
    const det = hAA * hBB - hAB * hAB;
    if (Math.abs(det) < 1e-12) break;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (hAA * gB - hAB * gA) / det;
    a -= dA;
    b -= dB;
    if (Math.abs(dA) + Math.abs(dB) < 1e-9) break;
  }
  return { a, b };
}
