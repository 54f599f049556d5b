import type { Thresholds } from '../config.js';
import type { Level, ScoreResult } from './result.js';

export function levelFor(score: number, t: Thresholds): Level {
  if (score >= t.high) return 'high';
  if (score >= t.review) return 'review';
  return 'low';
}

/** `track` is "petycje_masowe" exactly when `level` is "high". */
export function trackFor(level: Level): ScoreResult['track'] {
  return level === 'high' ? 'petycje_masowe' : 'standard';
}
