import type { OutboxRow, OutboxStore, RefusedRow } from '../store.js';
import type { Queryable } from './connection.js';

/** The clearinghouse outbox (migrations 20 and 43) on PostgreSQL: a report is queued in the transaction that stores its petition. */
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

  /** One statement (atomic on its own): the rows deleted from the queue are the rows inserted. */
  async refuse(seqs: readonly number[], problem: string, httpStatus: number, refusedAt: string): Promise<void> {
    await this.q.query(
      `WITH moved AS (DELETE FROM clearinghouse_outbox WHERE seq = ANY($1::bigint[]) RETURNING seq, kind, report_id, payload, created_at)
       INSERT INTO clearinghouse_refused (kind, report_id, payload, created_at, refused_at, http_status, problem)
       SELECT kind, report_id, payload, created_at, $2, $3, $4 FROM moved ORDER BY seq`,
      [seqs, refusedAt, httpStatus, problem],
    );
  }

  async refused(): Promise<number> {
    return (await this.q.query<{ n: number }>('SELECT COUNT(*) AS n FROM clearinghouse_refused')).rows[0]!.n;
  }

  async listRefused(limit: number): Promise<RefusedRow[]> {
    return (await this.q.query<RefusedRow>('SELECT seq, kind, report_id, payload, created_at, refused_at, http_status, problem FROM clearinghouse_refused ORDER BY seq LIMIT $1', [limit])).rows;
  }
}
