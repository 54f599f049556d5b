/**
 * The data the shipped default model learns from: the project's own corpus (data/petitions.csv)
 * and, when it is beside the clone, the real petitions of ../shared/corpus/real-dev.jsonl. The
 * repository keeps only what is derived from the real texts (weights), never the texts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareRows, type Example, type PreparedData, type TrainingRow } from '../../src/classifier/train.js';
import type { Engine } from '../../src/engine.js';
import { readLabelledCsv } from '../../src/ingest/labelled-csv.js';
import type { Embedder } from '../../src/signals/embedding/embedder.js';
import { DEFAULT_CORPUS, readCorpus, type CorpusDoc } from './corpus.js';

export const PROJECT_DATA = fileURLToPath(new URL('../../data/petitions.csv', import.meta.url));
/**
 * Each real petition counts as this many rows: 43 real petitions against ~1 000 written by the
 * project, and the real ones are what Sito meets. Chosen by leave-one-family-out on the real corpus
 * (`npm run measure:corpus`, README "Unseen campaigns").
 */
export const REAL_WEIGHT = 4;

export interface TrainingData {
  prepared: PreparedData;
  /** what was used, for the model card and the command's output */
  sources: string[];
}

/** The real corpus when it is beside the clone, else null. */
export function realCorpus(path = DEFAULT_CORPUS): CorpusDoc[] | null {
  return existsSync(path) ? readCorpus(path) : null;
}

async function* rows(real: CorpusDoc[]): AsyncGenerator<TrainingRow> {
  for await (const r of readLabelledCsv(PROJECT_DATA)) yield r;
  // a real family never shares a name with one of ours: CV folds group by family
  for (const d of real) yield { text: d.text, label: d.label, family: `real:${d.family}`, id: `real:${d.id}` };
}

/** The examples with each real petition repeated REAL_WEIGHT times (the copies stay in their family's fold). */
export function weighted(prepared: readonly Example[], weight = REAL_WEIGHT): Example[] {
  const examples: Example[] = [...prepared];
  for (const e of prepared) if (e.family?.startsWith('real:')) for (let k = 1; k < weight; k++) examples.push(e);
  return examples;
}

/** The real family a prepared example comes from, or null for the project's own. */
export const realFamily = (e: Example) => (e.family?.startsWith('real:') ? e.family.slice(5) : null);

/** Prepares the project's corpus and the given real petitions, unweighted. */
export function prepareTraining(engine: Engine, embedder: Embedder | null, real: CorpusDoc[]): Promise<Example[]> {
  return prepareRows(engine, rows(real), embedder);
}

/**
 * Prepares the project's corpus plus the given real petitions (none: the project's corpus alone),
 * each real one repeated REAL_WEIGHT times after preparation (the copies stay in their family's fold).
 */
export async function trainingData(engine: Engine, embedder: Embedder | null, real: CorpusDoc[]): Promise<TrainingData> {
  const prepared = await prepareRows(engine, rows(real), embedder);
  const examples = weighted(prepared);
  const h = createHash('sha256').update(readFileSync(PROJECT_DATA));
  if (real.length) h.update(JSON.stringify(real.map((d) => [d.id, d.label, d.family, d.text]))).update(`w${REAL_WEIGHT}`);
  const sources = [`data/petitions.csv (${prepared.length - real.length} petitions written by the project)`];
  if (real.length) sources.push(`${real.length} real petitions (${new Set(real.map((d) => d.family)).size} families) from ../shared/corpus/real-dev.jsonl, each weighted ×${REAL_WEIGHT}; only derived weights are kept`);
  return { prepared: { examples, sha256: h.digest('hex'), file: real.length ? 'petitions.csv+real-dev.jsonl' : 'petitions.csv' }, sources };
}
