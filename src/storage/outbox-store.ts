import type Database from 'better-sqlite3';
import { facade, type Run } from './async-lock.js';
import type { OutboxRow, OutboxStore, RefusedRow } from './store.js';

/**
 * The clearinghouse's outbox in the office's SQLite file (migrations 20 and 43), synchronous: what
 * `store.outbox` runs (src/storage/sqlite-store.ts makes it asynchronous).
 */
export class SqliteOutboxSync {
  constructor(private readonly db: Database.Database) {}

  rememberReport(petitionId: string, reportId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO clearinghouse_reports (petition_id, report_id) VALUES (?, ?)').run(petitionId, reportId);
  }

  reportIdOf(petitionId: string): string | null {
    return (this.db.prepare('SELECT report_id FROM clearinghouse_reports WHERE petition_id = ?').get(petitionId) as { report_id: string } | undefined)?.report_id ?? null;
  }

  enqueue(kind: OutboxRow['kind'], reportId: string, payload: string, createdAt: string): void {
    this.db.prepare('INSERT INTO clearinghouse_outbox (kind, report_id, payload, created_at) VALUES (?, ?, ?, ?)').run(kind, reportId, payload, createdAt);
  }

  pending(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM clearinghouse_outbox').get() as { n: number }).n;
  }

  next(limit: number): OutboxRow[] {
    return this.db.prepare('SELECT seq, kind, report_id, payload FROM clearinghouse_outbox ORDER BY seq LIMIT ?').all(limit) as OutboxRow[];
  }

  remove(seqs: readonly number[]): void {
    this.db.prepare('DELETE FROM clearinghouse_outbox WHERE seq IN (SELECT value FROM json_each(?))').run(JSON.stringify(seqs));
  }

  failed(seqs: readonly number[], problem: string): void {
    this.db.prepare('UPDATE clearinghouse_outbox SET attempts = attempts + 1, last_error = ? WHERE seq IN (SELECT value FROM json_each(?))').run(problem, JSON.stringify(seqs));
  }

  /** Copies then deletes, in one transaction (BEGIN IMMEDIATE; a savepoint inside the caller's). */
  refuse(seqs: readonly number[], problem: string, httpStatus: number, refusedAt: string): void {
    const list = JSON.stringify(seqs);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO clearinghouse_refused (kind, report_id, payload, created_at, refused_at, http_status, problem)
           SELECT kind, report_id, payload, created_at, ?, ?, ? FROM clearinghouse_outbox WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
        )
        .run(refusedAt, httpStatus, problem, list);
      this.db.prepare('DELETE FROM clearinghouse_outbox WHERE seq IN (SELECT value FROM json_each(?))').run(list);
    }).immediate();
  }

  refused(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM clearinghouse_refused').get() as { n: number }).n;
  }

  listRefused(limit: number): RefusedRow[] {
    return this.db.prepare('SELECT seq, kind, report_id, payload, created_at, refused_at, http_status, problem FROM clearinghouse_refused ORDER BY seq LIMIT ?').all(limit) as RefusedRow[];
  }
}

const OUTBOX_METHODS = ['rememberReport', 'reportIdOf', 'enqueue', 'pending', 'next', 'remove', 'failed', 'refuse', 'refused', 'listRefused'] as const satisfies ReadonlyArray<keyof OutboxStore>;

/** The outbox over SQLite: each call runs `core`'s method through `run` (the store's lock, or its open transaction). */
export function asyncOutbox(core: SqliteOutboxSync, run: Run): OutboxStore {
  return facade(core, OUTBOX_METHODS, run);
}
