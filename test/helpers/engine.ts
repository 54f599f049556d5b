import { randomUUID } from 'node:crypto';
import { Engine } from '../../src/engine.js';
import { loadRules } from '../../src/signals/rules/load-rules.js';

export const thresholds = { high: 0.8, review: 0.35 };
let shared: Engine | null = null;
export function engine(): Engine {
  shared ??= new Engine({ rules: loadRules(), thresholds });
  return shared;
}
/** A petition scored without a store (what `Engine.score` does then, synchronously). */
export const score = (text: string) => engine().scoreAnalysis(randomUUID(), engine().analyse({ text }));
