import { randomUUID } from 'node:crypto';
import type { Thresholds } from './config.js';
import { combine } from './classifier/combine.js';
import { levelFor, trackFor } from './decision/decide.js';
import type { Reason, ScoreResult } from './decision/result.js';
import type { Petition } from './ingest/petition-input.js';
import { normalise, type NormalisedText } from './normalise/normalise.js';
import { bestMatch, templateReason, type TemplateMatch } from './signals/campaign/template-signal.js';
import { bandKeys, fingerprint, type Fingerprint } from './signals/fingerprint/minhash.js';
import type { RuleSet } from './signals/rules/load-rules.js';
import { matchRules } from './signals/rules/match-rules.js';
import type { Store } from './storage/store.js';

export interface EngineOptions {
  rules: RuleSet;
  thresholds: Thresholds;
  /** Without a store there is no template/campaign signal and nothing is kept. */
  store?: Store | null;
}

export interface Analysis {
  text: NormalisedText;
  fingerprint: Fingerprint;
  reasons: Reason[];
}

/** LSH candidates verified per petition. */
const CANDIDATES = 32;
/** A campaign's members beyond this many are not indexed: they would only repeat the same keys. */
const INDEXED_PER_CAMPAIGN = 20;

/**
 * The scoring pipeline: normalise → signals (rules, template) → combine → decide → store. Built
 * once at start-up. The template look-up, the campaign decision and the insert run in one write
 * transaction, so concurrent petitions with the same new template end up in one campaign.
 */
export class Engine {
  readonly rules: RuleSet;
  readonly thresholds: Thresholds;
  readonly modelVersion: string;
  readonly store: Store | null;

  constructor(opts: EngineOptions) {
    this.rules = opts.rules;
    this.thresholds = opts.thresholds;
    this.store = opts.store ?? null;
    this.modelVersion = `rules-v${opts.rules.version}-${opts.rules.fingerprint}`;
  }

  analyse(petition: Pick<Petition, 'text'>): Analysis {
    const text = normalise(petition.text);
    const reasons: Reason[] = matchRules(this.rules, text).map((h) => ({
      signal: 'rule',
      id: h.id,
      description: h.description,
      trait: h.trait,
      contribution: h.weight,
      evidence: h.evidence,
    }));
    return { text, fingerprint: fingerprint(text.folded), reasons };
  }

  decide(id: string, reasons: Reason[], campaign: ScoreResult['campaign'] = null): ScoreResult {
    const combined = combine(this.rules.bias, reasons);
    const level = levelFor(combined.score, this.thresholds);
    const ordered = [...reasons].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return {
      id,
      score: combined.score,
      level,
      track: trackFor(level),
      traits: combined.traits,
      reasons: ordered,
      campaign,
      model: { version: this.modelVersion, embedding: null },
    };
  }

  score(petition: Petition): ScoreResult {
    const id = petition.id ?? randomUUID();
    const analysis = this.analyse(petition);
    const store = this.store;
    if (!store) return this.decide(id, analysis.reasons);
    const keys = bandKeys(analysis.fingerprint.signature);
    const lookUp = () => bestMatch(analysis.fingerprint, store.candidates(keys, CANDIDATES), id);
    if (!petition.store) {
      const match = lookUp();
      const campaign = match?.candidate.campaign ?? null;
      const reasons = match ? [...analysis.reasons, templateReason(match, campaign?.id ?? null, (campaign?.size ?? 1) + 1)] : analysis.reasons;
      return this.decide(id, reasons, campaign && { id: campaign.id, size: campaign.size });
    }
    return store.writeTransaction(() => {
      const match = lookUp();
      const storing = !store.hasPetition(id);
      const campaign = match ? this.campaignFor(match, storing) : null;
      const size = (campaign?.size ?? 1) + (storing ? 1 : 0);
      const reasons = match ? [...analysis.reasons, templateReason(match, campaign?.id ?? null, size)] : analysis.reasons;
      const result = this.decide(id, reasons, campaign && { id: campaign.id, size });
      if (storing) {
        const index = !campaign || campaign.size < INDEXED_PER_CAMPAIGN;
        store.insertPetition(
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
          },
          campaign?.id ?? null,
          index ? keys : null,
        );
      }
      return result;
    });
  }

  /** The campaign a match puts the petition in: the match's own, or a new one around the matched petition. */
  private campaignFor(match: TemplateMatch, storing: boolean) {
    const existing = match.candidate.campaign;
    if (existing || !storing || !this.store) return existing;
    return this.store.createCampaign(`kmp-${randomUUID().slice(0, 8)}`, match.candidate.id);
  }
}
