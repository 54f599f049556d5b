import { randomUUID } from 'node:crypto';
import type { Thresholds } from './config.js';
import { combine } from './classifier/combine.js';
import type { TemplateEvidence } from './classifier/features.js';
import { explainWithModel, ngramReason, type Model } from './classifier/model.js';
import { levelFor, trackFor } from './decision/decide.js';
import type { Reason, ScoreResult } from './decision/result.js';
import type { Petition } from './ingest/petition-input.js';
import { normalise, type NormalisedText } from './normalise/normalise.js';
import { bestMatch, templateReason, type TemplateMatch } from './signals/campaign/template-signal.js';
import { bandKeys, fingerprint, type Fingerprint } from './signals/fingerprint/minhash.js';
import type { RuleSet } from './signals/rules/load-rules.js';
import { matchRules, type RuleHit } from './signals/rules/match-rules.js';
import type { Campaign, Store } from './storage/store.js';
import type { VectorIndex } from './signals/embedding/vector-index.js';
import { clearinghouseReason } from './clearinghouse/signal.js';
import type { Consultation } from './clearinghouse/consult.js';
import { searchableText } from './storage/search-text.js';

/** The semantic signal: the loaded embedding model's name, its index of stored vectors, and when a neighbour counts. */
export interface Semantic {
  model: string;
  index: VectorIndex;
  /** cosine similarity from which the nearest stored petition is a reason */
  threshold: number;
}

/** Log-odds a paraphrase of a stored high-risk petition adds (fingerprints did not see it). */
export const SEMANTIC_CONTRIBUTION = 1.5;

export interface EngineOptions {
  rules: RuleSet;
  thresholds: Thresholds;
  /** Without a store there is no template/campaign signal and nothing is kept. */
  store?: Store | null;
  /** Without a model, the rules' own weights score (see README, "Score"). */
  model?: Model | null;
}

export interface Analysis {
  text: NormalisedText;
  fingerprint: Fingerprint;
  hits: RuleHit[];
}

interface TemplateFinding {
  match: TemplateMatch;
  campaign: Campaign | null;
  /** the campaign's size counting this petition */
  size: number;
  /** whether the petition was added to the campaign (stored), or only compared with it */
  joined: boolean;
}

/**
 * A petition id is stored once: the same id with another text is refused (HTTP 409), and nothing
 * is changed. The same id with the same text is a retry and gets the stored verdict.
 */
export class PetitionConflictError extends Error {
  constructor(readonly id: string) {
    super(`id: a petition with id "${id}" is already stored with another text; nothing was changed (send a new id, or the stored text to get its verdict)`);
  }
}

/** The model a verdict is made with, and its n-gram reason for the petition's text. */
interface Prepared {
  model: Model | null;
  ngrams: Reason | undefined;
}

/** LSH candidates verified per petition. */
const CANDIDATES = 32;
/** A campaign's members beyond this many are not indexed: they would only repeat the same keys. */
const INDEXED_PER_CAMPAIGN = 20;

const ruleReason = (h: RuleHit): Reason => ({ signal: 'rule', id: h.id, description: h.description, trait: h.trait, contribution: h.weight, evidence: h.evidence });

/**
 * The scoring pipeline: normalise → signals (rules, template) → classifier → decide → store. Built
 * once at start-up. The template look-up, the campaign decision and the insert run in one write
 * transaction, so concurrent petitions with the same new template end up in one campaign.
 * The model can be swapped while requests run (`setModel`): each request reads it once.
 */
/** The version a verdict names when the rules alone scored it. */
export const rulesVersion = (rules: Pick<RuleSet, 'version' | 'fingerprint'>) => `rules-v${rules.version}-${rules.fingerprint}`;

export class Engine {
  readonly rules: RuleSet;
  readonly thresholds: Thresholds;
  readonly store: Store | null;
  readonly rulesVersion: string;
  private current: Model | null;
  private semantic: Semantic | null = null;
  /** Called inside the write transaction right after a petition is stored, with the transaction's store (the clearinghouse's outbox). */
  onStored: ((stored: { id: string; petition: Petition; analysis: Analysis; result: ScoreResult }, tx: Store) => Promise<void> | void) | null = null;

  constructor(opts: EngineOptions) {
    this.rules = opts.rules;
    this.thresholds = opts.thresholds;
    this.store = opts.store ?? null;
    this.current = opts.model ?? null;
    this.rulesVersion = rulesVersion(opts.rules);
  }

  setSemantic(semantic: Semantic | null) {
    this.semantic = semantic;
  }

  get model(): Model | null {
    return this.current;
  }

  setModel(model: Model | null) {
    this.current = model;
  }

  get modelVersion(): string {
    return this.current?.artifact.version ?? this.rulesVersion;
  }

  analyse(petition: Pick<Petition, 'text'>): Analysis {
    const text = normalise(petition.text);
    return { text, fingerprint: fingerprint(text.folded), hits: matchRules(this.rules, text) };
  }

  private prepare(a: Analysis): Prepared {
    const model = this.current;
    return { model, ngrams: model ? ngramReason(model, a.text) : undefined };
  }

  /** Rule reasons with the rules' own weights (what `sito score` without a model explains). */
  ruleReasons(a: Analysis): Reason[] {
    return a.hits.map(ruleReason);
  }

  private explain(a: Analysis, t: TemplateFinding | null, model: Model | null, vector?: Float32Array, ngrams?: Reason): { baseline: number; reasons: Reason[] } {
    const reason = t ? templateReason(t.match, t.campaign?.id ?? null, t.size) : null;
    if (!model) return { baseline: this.rules.bias, reasons: reason ? [...this.ruleReasons(a), reason] : this.ruleReasons(a) };
    const evidence: TemplateEvidence = {
      repeats: t ? Math.max(1, t.size - 1) : 0,
      known: t?.campaign?.source === 'known' ? t.campaign.label : null,
    };
    return explainWithModel(model, a.text, a.hits, evidence, reason, vector, ngrams);
  }

  /** The nearest stored petition by meaning, as a reason, when no template matched. */
  private semanticReason(id: string, vector: Float32Array | undefined, t: TemplateFinding | null): Reason | null {
    const sem = this.semantic;
    if (!vector || !sem || t) return null;
    const [nb] = sem.index.nearest(vector, 1, id);
    if (!nb || nb.similarity < sem.threshold) return null;
    const high = nb.level === 'high';
    return {
      signal: 'embedding',
      id: 'semantic_neighbour',
      trait: 'mass_mailing',
      contribution: high ? SEMANTIC_CONTRIBUTION : 0,
      description: `Treść zbliżona znaczeniowo (${Math.round(nb.similarity * 100)}%) do petycji ${nb.id}, ocenionej jako ${high ? 'wysokie ryzyko' : nb.level === 'review' ? 'do sprawdzenia' : 'niskie ryzyko'}`,
      evidence: [],
      similarity: Math.round(nb.similarity * 1000) / 1000,
      neighbour: nb.id,
    };
  }

  /** `prepared`: the model the verdict uses and its n-gram reason for this text, made before a write transaction (see `score`). */
  private decide(id: string, a: Analysis, t: TemplateFinding | null, vector?: Float32Array, consulted?: Consultation, prepared: Prepared = this.prepare(a)): ScoreResult {
    const { model } = prepared;
    const explained = this.explain(a, t, model, vector, prepared.ngrams);
    const semantic = this.semanticReason(id, vector, t);
    const { baseline } = explained;
    const elsewhere = consulted?.answer ? clearinghouseReason(consulted.answer) : null;
    const reasons = [...explained.reasons, ...(semantic ? [semantic] : []), ...(elsewhere ? [elsewhere] : [])];
    const combined = combine(baseline, reasons);
    const level = levelFor(combined.score, this.thresholds);
    const ordered = [...reasons].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
    return {
      id,
      score: combined.score,
      level,
      track: trackFor(level),
      traits: combined.traits,
      reasons: ordered,
      campaign: t?.campaign ? { id: t.campaign.id, size: t.joined ? t.size : t.campaign.size } : null,
      model: { version: model?.artifact.version ?? this.rulesVersion, embedding: this.semantic?.model ?? null },
      ...(consulted ? { clearinghouse: consulted.status } : {}),
    };
  }

  /** Scores an analysis already made, without the store (evaluation scores one analysis with several models). */
  scoreAnalysis(id: string, analysis: Analysis, vector?: Float32Array): ScoreResult {
    return this.decide(id, analysis, null, vector);
  }

  /**
   * `vector`: the petition's embedding, computed by the caller (the model runs asynchronously);
   * `analysis`: this petition's analysis when the caller already made it (to embed its body);
   * `consulted`: the clearinghouse's answer, when one is configured (src/clearinghouse/consult.ts).
   */
  async score(petition: Petition, vector?: Float32Array, analysis: Analysis = this.analyse(petition), consulted?: Consultation): Promise<ScoreResult> {
    const id = petition.id ?? randomUUID();
    const store = this.store;
    // the model is read once per petition (it can be swapped meanwhile), and what of the verdict
    // needs neither the store nor the template (the n-gram pass) is made here, not inside the write
    // transaction, where it would hold the database's write lock against other processes
    const prepared = this.prepare(analysis);
    if (!store) return this.decide(id, analysis, null, vector, consulted, prepared);
    const keys = bandKeys(analysis.fingerprint.signature);
    const lookUp = async (s: Store) => bestMatch(analysis.fingerprint, await s.candidates(keys, CANDIDATES), id);
    if (!petition.store) {
      const match = await lookUp(store);
      const campaign = match?.candidate.campaign ?? null;
      return this.decide(id, analysis, match && { match, campaign, size: (campaign?.size ?? 1) + 1, joined: false }, vector, consulted, prepared);
    }
    const searchable = store.indexesAtInsert ? searchableText(petition.text, petition.subject ?? null, petition.sender?.email ?? null) : undefined;
    return store.writeTransaction(async (tx) => {
      if (petition.id !== undefined && (await tx.hasPetition(id))) {
        const stored = (await tx.getPetition(id))!;
        if (stored.text !== petition.text) throw new PetitionConflictError(id);
        return stored.result;
      }
      const match = await lookUp(tx);
      const campaign = match ? await this.campaignFor(tx, match, true) : null;
      const size = (campaign?.size ?? 1) + 1;
      const result = this.decide(id, analysis, match && { match, campaign, size, joined: true }, vector, consulted, prepared);
      const sem = this.semantic;
      const index = !campaign || campaign.size < INDEXED_PER_CAMPAIGN;
      await tx.insertPetition(
        {
          id,
          receivedAt: petition.received_at ?? null,
          storedAt: new Date().toISOString(),
          subject: petition.subject ?? null,
          senderName: petition.sender?.name ?? null,
          senderEmail: petition.sender?.email ?? null,
          text: petition.text,
          result,
          fingerprint: analysis.fingerprint,
          embedding: vector && sem ? { model: sem.model, vector } : null,
          searchable,
        },
        campaign?.id ?? null,
        index ? keys : null,
      );
      await this.onStored?.({ id, petition, analysis, result }, tx);
      // the in-memory index learns the vector once nothing can roll the petition back
      if (vector && sem) sem.index.add(id, vector, result.level);
      return result;
    });
  }

  /** The campaign a match puts the petition in: the match's own, or a new one around the matched petition. */
  private async campaignFor(tx: Store, match: TemplateMatch, storing: boolean): Promise<Campaign | null> {
    const existing = match.candidate.campaign;
    if (existing || !storing) return existing;
    return tx.createCampaign(`kmp-${randomUUID().slice(0, 8)}`, match.candidate.id);
  }
}
