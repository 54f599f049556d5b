import type Database from 'better-sqlite3';
import { searchableText } from './search-text.js';

/**
 * The SQLite store's full-text index, filled in batches.
 *
 * Storing a petition records it in `fts_pending`; its words enter the index (`petitions_fts`) later,
 * many petitions in one write transaction. FTS5 writes a new segment of the index at every commit
 * that added words, and merges segments as they pile up. Storing the seed's text (24 KB) 1 000
 * times in a throwaway database: the row and its index in one transaction each 1.79–2.08 ms a
 * petition, the row alone 0.43–0.47 ms, rows one a transaction with their index twenty a
 * transaction 0.71 ms. Scoring's own write transaction is shorter by as much, and holds the write
 * lock (which `serve --workers N` shares) for less time.
 *
 * Nothing is found late: every search first indexes what is waiting (`indexWaiting`), so a petition
 * is found from the moment its verdict is returned. Between searches the store indexes what waits
 * every INDEX_EVERY_MS (SqliteStore), and closing the store indexes the rest. A petition erased
 * while it waits is never indexed.
 */

/** How often the SQLite store indexes the petitions waiting, while some wait. */
export const INDEX_EVERY_MS = 250;
/** Petitions indexed in one write transaction at most (twenty at a time, about 0.25 ms each for a 24 KB e-mail: 0.71 ms with the row, 0.43–0.47 the row alone). */
export const INDEX_BATCH = 200;

/** Whether stored petitions wait to be indexed (a read, no lock). */
export function waitingForIndex(db: Database.Database): boolean {
  return db.prepare('SELECT 1 FROM fts_pending LIMIT 1').get() !== undefined;
}

/**
 * Indexes up to `limit` waiting petitions, oldest first, in the transaction open on `db` (the
 * caller opens a write transaction, or is inside one); returns how many left the queue. Taking
 * them off the queue and indexing them is one transaction, so no two connections index one twice.
 */
export function indexWaitingIn(db: Database.Database, limit: number): number {
  const seqs = db.prepare('DELETE FROM fts_pending WHERE seq IN (SELECT seq FROM fts_pending ORDER BY seq LIMIT ?) RETURNING seq').pluck().all(limit) as number[];
  const row = db.prepare('SELECT text, subject, sender_email FROM petitions WHERE seq = ? AND deleted_at IS NULL');
  const add = db.prepare('INSERT INTO petitions_fts (rowid, body) VALUES (?, ?)');
  for (const seq of seqs) {
    const r = row.get(seq) as { text: string; subject: string | null; sender_email: string | null } | undefined;
    if (r) add.run(seq, searchableText(r.text, r.subject, r.sender_email));
  }
  return seqs.length;
}

/**
 * Indexes every waiting petition, INDEX_BATCH a write transaction (or inside the transaction already
 * open on `db`): what a search does first, and closing the store. Returns how many were indexed.
 */
export function indexWaiting(db: Database.Database): number {
  let total = 0;
  while (waitingForIndex(db)) total += db.inTransaction ? indexWaitingIn(db, Number.MAX_SAFE_INTEGER) : db.transaction(() => indexWaitingIn(db, INDEX_BATCH)).immediate();
  return total;
}
