import type { ScoreResult } from '../decision/result.js';
import type { PetitionSummary, TrackRow } from './store.js';

export type HeaderRow = Pick<TrackRow, 'id' | 'received_at' | 'stored_at' | 'subject' | 'sender_name' | 'sender_email'>;

/** A petition's row as the listings read it, the same in every backend. */
export interface SummaryRow extends HeaderRow {
  excerpt: string;
  score: number;
  level: ScoreResult['level'];
  track: ScoreResult['track'];
  campaign_id: string | null;
  campaign_size: number | null;
  /** other offices that received it (absent where a listing does not read it) */
  elsewhere?: number | null;
}

/** The fields every view of a petition starts with. */
export const header = (r: HeaderRow) => ({ id: r.id, received_at: r.received_at, stored_at: r.stored_at, subject: r.subject, sender: { name: r.sender_name, email: r.sender_email } });

export function summary(r: SummaryRow): PetitionSummary {
  return {
    ...header(r),
    excerpt: r.excerpt,
    score: r.score,
    level: r.level,
    track: r.track,
    campaign: r.campaign_id ? { id: r.campaign_id, size: r.campaign_size ?? 0 } : null,
    ...(r.elsewhere ? { elsewhere: r.elsewhere } : {}),
  };
}
