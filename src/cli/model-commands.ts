import type { Config } from '../config.js';
import { evaluateExamples, evaluateFile, formatEvaluations } from '../classifier/evaluate.js';
import type { Model } from '../classifier/model.js';
import { availableParallelism } from 'node:os';
import { prepareData, priorWeights, trainModel, type Parallel } from '../classifier/train.js';
import { progress } from './progress.js';
import { attachEmbedding, type Runtime } from '../runtime.js';

export function newVersion(sha256: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
  return `m${stamp}-${sha256.slice(0, 8)}`;
}

/** Fewer labelled petitions than this (or of either label) train a model that cannot be trusted. */
export const MIN_TRAINING_ROWS = 50;
export const MIN_PER_LABEL = 10;

export function tinyDataWarning(rows: number, mass: number): string | null {
  const regular = rows - mass;
  if (rows >= MIN_TRAINING_ROWS && mass >= MIN_PER_LABEL && regular >= MIN_PER_LABEL) return null;
  return `warning: trained on only ${rows} petitions (${mass} mass, ${regular} regular); with fewer than ${MIN_TRAINING_ROWS} petitions or ${MIN_PER_LABEL} of each label the model and its cross-validation figures are unreliable — do not activate it`;
}

/** `sito train FILE.csv`: trains, saves a new version, and compares it with the active model on the same file. */
/** The per-row analysis on `jobs` threads, loading what this runtime loaded. */
export function parallelFor(rt: Runtime, config: Config, jobs: number, what: string): Parallel & { bar: ReturnType<typeof progress> } {
  const bar = progress(what, 0);
  return {
    jobs,
    bar,
    onRow: () => bar.tick(),
    source: {
      rulesFile: config.rulesFile,
      officeProfile: config.officeProfile,
      rulesFingerprint: rt.engine.rules.fingerprint,
      embeddingModel: rt.embedder?.name ?? null,
      modelsDir: config.modelsDir,
    },
  };
}

export async function trainCommand(rt: Runtime, config: Config, file: string, opts: { activate: boolean; folds?: number; version?: string; jobs?: number }): Promise<string> {
  await attachEmbedding(rt, config);
  const jobs = opts.jobs ?? availableParallelism();
  const analysing = parallelFor(rt, config, jobs, `analysing rows on ${jobs} threads`);
  const data = await prepareData(rt.engine, file, rt.embedder, 11, analysing);
  analysing.bar.done();
  const rules = rt.engine.rules;
  const version = opts.version ?? newVersion(data.sha256);
  const { artifact } = await trainModel(data, {
    ruleIds: rules.rules.map((r) => r.id),
    rulesFingerprint: rules.fingerprint,
    prior: priorWeights(rules, rt.embedder?.dimension ?? 0),
    embedding: rt.embedder?.name ?? null,
    thresholds: config.thresholds,
    version,
    jobs,
    fitProgress: (fits) => progress(`fitting ${fits} models (cross-validation and the final one) on ${Math.min(jobs, fits)} threads`, fits),
    ...(opts.folds ? { k: opts.folds } : {}),
  });
  await rt.registry.save(artifact);
  const cv = artifact.card.cross_validation;
  const warning = tinyDataWarning(artifact.card.data.rows, artifact.card.data.mass);
  if (warning) process.stderr.write(`sito: ${warning}\n`);
  const lines = [
    ...(warning ? [warning] : []),
    `trained ${version} on ${artifact.card.data.rows} petitions (${artifact.card.data.mass} mass) in ${artifact.card.training.seconds} s, peak memory ${artifact.card.training.peak_rss_mb} MB`,
    `cross-validation (${cv.folds} folds${cv.grouped_by ? `, grouped by ${cv.grouped_by}` : ', stratified'}): recall of mass ${cv.at_high.recall?.toFixed(3)}, regular flagged high ${cv.at_high.falsePositiveRate?.toFixed(3)}, precision ${cv.at_high.precision?.toFixed(3)}, ROC-AUC ${cv.at_high.rocAuc?.toFixed(4)}`,
  ];
  const active = rt.engine.model;
  const fresh = await rt.registry.load(version);
  // from the features training made: the file is not analysed again
  const evals = evaluateExamples(data.examples, rules, config.thresholds, [active, fresh].filter((m, i) => i === 1 || m !== null) as Array<Model | null>);
  lines.push('', 'on the training file itself (in-sample for the new model; cross-validation above is the honest figure):', formatEvaluations(evals, config.thresholds));
  if (opts.activate) {
    await rt.registry.activate(version);
    lines.push('', `activated ${version}`);
  } else {
    lines.push('', `activate it with: sito model activate ${version}`);
  }
  return lines.join('\n');
}

export async function evaluateCommand(rt: Runtime, config: Config, file: string, versions: string[]): Promise<string> {
  await attachEmbedding(rt, config);
  const models: Array<Model | null> = versions.length
    ? await Promise.all(versions.map((v) => (v === 'rules' ? null : rt.registry.load(v))))
    : [rt.engine.model];
  const evals = await evaluateFile(file, rt.engine.rules, config.thresholds, models, rt.embedder);
  return formatEvaluations(evals, config.thresholds);
}
