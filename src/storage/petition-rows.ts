import type { ScoreResult } from '../decision/result.js';
import type { PetitionSummary } from './store.js';

/** A petition's row as the listings read it, the same in every backend. */
export interface SummaryRow {
  id: string;
  received_at: string | null;
  stored_at: string;
  subject: string | null;
  sender_name: string | null;
  sender_email: string | null;
  excerpt: string;
  score: number;
  level: ScoreResult['level'];
  track: ScoreResult['track'];
  campaign_id: string | null;
  campaign_size: number | null;
  elsewhere: number | null;
}

export type HeaderRow = Pick<SummaryRow, 'id' | 'received_at' | 'stored_at' | 'subject' | 'sender_name' | 'sender_email'>;

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
