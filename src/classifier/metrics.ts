/** Binary classification metrics; `mass` is the positive class. */
export interface Metrics {
  n: number;
  positives: number;
  precision: number;
  recall: number;
  f1: number;
  /** share of regular petitions flagged high */
  falsePositiveRate: number;
  rocAuc: number;
  prAuc: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
}

export function rocAuc(scores: readonly number[], ys: readonly number[]): number {
  const pairs = scores.map((s, i) => [s, ys[i]!] as const).sort((a, b) => a[0] - b[0]);
  // rank-sum (Mann–Whitney) with ties averaged
  let rankSum = 0;
  let i = 0;
  while (i < pairs.length) {
    let j = i;
    while (j + 1 < pairs.length && pairs[j + 1]![0] === pairs[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pairs[k]![1] === 1) rankSum += rank;
    i = j + 1;
  }
  const pos = ys.filter((y) => y === 1).length;
  const neg = ys.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the precision–recall curve, step-wise). */
export function prAuc(scores: readonly number[], ys: readonly number[]): number {
  const order = scores.map((s, i) => [s, ys[i]!] as const).sort((a, b) => b[0] - a[0]);
  const pos = ys.filter((y) => y === 1).length;
  if (pos === 0) return NaN;
  let tp = 0, seen = 0, ap = 0;
  for (const [, y] of order) {
    seen++;
    if (y === 1) {
      tp++;
      ap += tp / seen;
    }
  }
  return ap / pos;
}

export function metrics(scores: readonly number[], ys: readonly number[], threshold: number): Metrics {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  scores.forEach((s, i) => {
    const flagged = s >= threshold;
    if (ys[i] === 1) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : NaN;
  const recall = tp + fn ? tp / (tp + fn) : NaN;
  return {
    n: ys.length,
    positives: tp + fn,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : NaN,
    falsePositiveRate: fp + tn ? fp / (fp + tn) : NaN,
    rocAuc: rocAuc(scores, ys),
    prAuc: prAuc(scores, ys),
    confusion: { tp, fp, tn, fn },
  };
}
