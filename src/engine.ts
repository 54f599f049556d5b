import { randomUUID } from 'node:crypto';
import type { Thresholds } from './config.js';
import { combine } from './classifier/combine.js';
import { levelFor, trackFor } from './decision/decide.js';
import type { Reason, ScoreResult } from './decision/result.js';
import type { Petition } from './ingest/petition-input.js';
import { normalise, type NormalisedText } from './normalise/normalise.js';
import type { RuleSet } from './signals/rules/load-rules.js';
import { matchRules } from './signals/rules/match-rules.js';

export interface EngineOptions {
  rules: RuleSet;
  thresholds: Thresholds;
}

export interface Analysis {
  text: NormalisedText;
  reasons: Reason[];
}

/**
 * The scoring pipeline: normalise → signals → combine → decide. Built once at start-up; `score`
 * does no I/O and keeps no per-request state.
 */
export class Engine {
  readonly rules: RuleSet;
  readonly thresholds: Thresholds;
  readonly modelVersion: string;

  constructor(opts: EngineOptions) {
    this.rules = opts.rules;
    this.thresholds = opts.thresholds;
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
    return { text, reasons };
  }

  decide(id: string, reasons: Reason[]): ScoreResult {
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
      campaign: null,
      model: { version: this.modelVersion, embedding: null },
    };
  }

  score(petition: Petition): ScoreResult {
    const { reasons } = this.analyse(petition);
    return this.decide(petition.id ?? randomUUID(), reasons);
  }
}
