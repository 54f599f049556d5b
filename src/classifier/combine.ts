import type { Trait } from '../signals/rules/schema.js';
import type { Reason } from '../decision/result.js';
import { sigmoid } from './logistic.js';


export interface Combined {
  /** bias + Σ contributions, in log-odds */
  logit: number;
  score: number;
  traits: Record<Trait, number>;
}

/**
 * The additive model every signal speaks: each reason adds `contribution` log-odds.
 *   score           = σ(bias + Σ contributions)
 *   traits[t]       = σ(bias + Σ contributions of the reasons of trait t)
 * A reason with no trait (a trained model's features) counts only towards the score.
 */
export function combine(bias: number, reasons: readonly Reason[]): Combined {
  let logit = bias;
  const byTrait: Record<Trait, number> = { mass_mailing: bias, vendor_promotion: bias };
  for (const r of reasons) {
    logit += r.contribution;
    if (r.trait) byTrait[r.trait] += r.contribution;
  }
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    logit,
    score: round(sigmoid(logit)),
    traits: { mass_mailing: round(sigmoid(byTrait.mass_mailing)), vendor_promotion: round(sigmoid(byTrait.vendor_promotion)) },
  };
}
