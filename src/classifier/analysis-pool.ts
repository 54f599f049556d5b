import { startThread } from '../thread-module.js';
import type { Analysis, Engine } from '../engine.js';
import type { NormalisedText } from '../normalise/normalise.js';
import { withoutWrapper } from '../normalise/normalise.js';
import type { Embedder } from '../signals/embedding/embedder.js';
import type { Fingerprint } from '../signals/fingerprint/minhash.js';
import type { RuleHit } from '../signals/rules/match-rules.js';
import { ngramBuckets } from './features.js';

/** Where a thread finds the rules and the embedding model the command uses. */
export interface AnalysisSource {
  rulesFile: string | undefined;
  officeProfile: string | undefined;
  rulesFingerprint: string;
  /** null: no embedding */
  embeddingModel: string | null;
  modelsDir: string | undefined;
}

/** One text's analysis from a thread: what training needs, or (`full`) everything scoring needs. */
export interface PooledAnalysis {
  fingerprint: Fingerprint;
  hits: Array<Pick<RuleHit, 'id'>> | RuleHit[];
  /** the folded text's hashed n-grams (`ngramBuckets`), for training (not `full`) */
  ngrams: Uint32Array | null;
  /** the whole normalised text (without its bytes) when asked for */
  text: Omit<NormalisedText, 'bytes'> | null;
  vector: Float32Array | null;
}

/** What a thread sends back of one analysis (see PooledAnalysis). */
export function pooledAnalysis(a: Analysis, full: boolean, vector: Float32Array | null): PooledAnalysis {
  const { bytes: _bytes, ...text } = a.text;
  return {
    fingerprint: a.fingerprint,
    hits: full ? a.hits : a.hits.map((h) => ({ id: h.id })),
    ngrams: full ? null : ngramBuckets(a.text.bytes),
    text: full ? text : null,
    vector,
  };
}

/** Texts per message to a thread. */
const BATCH = 64;

/** A full analysis back in the shape `Engine.scoreAnalysis` takes. */
export function asAnalysis(p: PooledAnalysis): Analysis {
  const t = p.text!;
  return { text: { ...t, bytes: Buffer.from(t.folded, 'latin1') }, fingerprint: p.fingerprint, hits: p.hits as RuleHit[] };
}

/**
 * Analyses (normalise → fingerprint → rules) and embeds texts, yielding the results in input
 * order. With `jobs` > 1 and a `source`, the work runs on that many threads (the pipeline is
 * deterministic: the same results as in this thread); otherwise here, with the given engine.
 */
export async function* analyseTexts<T>(
  items: AsyncIterable<T> | Iterable<T>,
  textOf: (item: T) => string,
  opts: { engine: Engine; embedder: Embedder | null; jobs: number; source: AnalysisSource | null; full: boolean },
): AsyncGenerator<{ item: T; analysis: PooledAnalysis }> {
  if (opts.jobs <= 1 || !opts.source) {
    let pending: T[] = [];
    const flush = async function* () {
      const analyses = pending.map((it) => opts.engine.analyse({ text: textOf(it) }));
      const vectors = opts.embedder ? await opts.embedder.embed(pending.map((it, i) => withoutWrapper(textOf(it), analyses[i]!.text.wrapper))) : [];
      for (let i = 0; i < pending.length; i++) {
        const a = analyses[i]!;
        yield { item: pending[i]!, analysis: pooledAnalysis(a, opts.full, vectors[i] ?? null) };
      }
      pending = [];
    };
    for await (const it of items) {
      pending.push(it);
      if (pending.length >= BATCH) yield* flush();
    }
    yield* flush();
    return;
  }
  const workers = Array.from({ length: opts.jobs }, () => startThread(import.meta.url, 'analysis-worker', { workerData: opts.source }));
  const idle = [...workers];
  const answers = new Map<number, { out?: PooledAnalysis[]; error?: string }>();
  const sent = new Map<number, T[]>();
  let wake: (() => void) | null = null;
  let crashed: Error | null = null;
  for (const w of workers) {
    w.on('message', (m: { seq: number; out?: PooledAnalysis[]; error?: string }) => {
      answers.set(m.seq, m);
      idle.push(w);
      wake?.();
    });
    w.on('error', (e) => {
      crashed ??= e;
      wake?.();
    });
  }
  const waitForAnswer = () => new Promise<void>((r) => (wake = r));
  let seq = 0;
  let next = 0;
  /** yields every answer that is next in order */
  const ready = function* () {
    for (;;) {
      const a = answers.get(next);
      if (!a) return;
      if (a.error) throw new Error(a.error);
      answers.delete(next);
      const batch = sent.get(next)!;
      sent.delete(next);
      next++;
      for (let i = 0; i < batch.length; i++) yield { item: batch[i]!, analysis: a.out![i]! };
    }
  };
  try {
    let pending: T[] = [];
    const send = async function* () {
      while (!idle.length) {
        if (crashed) throw crashed;
        await waitForAnswer();
        yield* ready();
      }
      const w = idle.shift()!;
      sent.set(seq, pending);
      w.postMessage({ seq: seq++, texts: pending.map(textOf), full: opts.full });
      pending = [];
      yield* ready();
    };
    for await (const it of items) {
      pending.push(it);
      if (pending.length >= BATCH) yield* send();
    }
    if (pending.length) yield* send();
    while (next < seq) {
      if (crashed) throw crashed;
      yield* ready();
      if (next < seq) await waitForAnswer();
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
