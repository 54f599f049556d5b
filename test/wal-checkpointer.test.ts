import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../src/storage/wal-checkpointer.js';
import { tempDir } from './helpers/sito-process.js';

describe('checkpoints on their own thread', () => {
  it('copies the log back into the database file while the writer never checkpoints', async () => {
    const path = join(tempDir('sito-wal-'), 'w.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)');
    const write = (from: number) => db.transaction(() => { for (let i = from; i < from + 500; i++) db.prepare('INSERT INTO t VALUES (?, randomblob(2000))').run(i); })();
    write(0);
    const before = statSync(path).size;
    const checkpointer = startWalCheckpointer(path, { everyMs: 20 });
    try {
      // the writer goes on writing while the thread copies
      const until = Date.now() + 20_000;
      let next = 500;
      while (statSync(path).size < before + 500 * 2000 && Date.now() < until) {
        write(next);
        next += 500;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(statSync(path).size).toBeGreaterThanOrEqual(before + 500 * 2000);
      expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(next);
    } finally {
      await checkpointer.close();
      db.close();
    }
    // what the thread copied is the database: a fresh connection reads every row without the log
    const again = new Database(path, { readonly: true });
    expect((again.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBeGreaterThan(500);
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  }, 60_000);
});
