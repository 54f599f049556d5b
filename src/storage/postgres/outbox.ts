import type { OutboxRow, OutboxStore } from '../store.js';
import type { Queryable } from './connection.js';

/** The clearinghouse outbox (migration 20) on PostgreSQL: a report is queued in the transaction that stores its petition. */
export class PostgresOutboxStore implements OutboxStore {
  constructor(private readonly q: Queryable) {}

  async rememberReport(petitionId: string, reportId: string): Promise<void> {
    await this.q.query('INSERT INTO clearinghouse_reports (petition_id, report_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [petitionId, reportId]);
  }

  async reportIdOf(petitionId: string): Promise<string | null> {
    return (await this.q.query<{ report_id: string }>('SELECT report_id FROM clearinghouse_reports WHERE petition_id = $1', [petitionId])).rows[0]?.report_id ?? null;
  }

  async enqueue(kind: OutboxRow['kind'], reportId: string, payload: string, createdAt: string): Promise<void> {
    await this.q.query('INSERT INTO clearinghouse_outbox (kind, report_id, payload, created_at) VALUES ($1, $2, $3, $4)', [kind, reportId, payload, createdAt]);
  }

  async pending(): Promise<number> {
    return (await this.q.query<{ n: number }>('SELECT COUNT(*) AS n FROM clearinghouse_outbox')).rows[0]!.n;
  }

  async next(limit: number): Promise<OutboxRow[]> {
    return (await this.q.query<OutboxRow>('SELECT seq, kind, report_id, payload FROM clearinghouse_outbox ORDER BY seq LIMIT $1', [limit])).rows;
  }

  async remove(seqs: readonly number[]): Promise<void> {
    await this.q.query('DELETE FROM clearinghouse_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
  }

  async failed(seqs: readonly number[], problem: string): Promise<void> {
    await this.q.query('UPDATE clearinghouse_outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])', [seqs, problem]);
  }
}
