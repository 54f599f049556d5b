import type { ClearinghouseStatus } from '../decision/result.js';
import type { LookupAnswer } from './protocol.js';

/** The clearinghouse's part in one verdict: whether it answered, and what. */
export interface Consultation {
  status: ClearinghouseStatus;
  answer: LookupAnswer | null;
}

export const notConsulted = (problem: string): Consultation => ({ status: { consulted: false, problem }, answer: null });
