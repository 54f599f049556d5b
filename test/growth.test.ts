import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { CsvError, readLabelledCsv } from '../src/ingest/labelled-csv.js';
import { VectorIndex } from '../src/signals/embedding/vector-index.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { COMMON_KEY_REFS, SqliteStore, SqliteStoreSync } from '../src/storage/sqlite-store.js';
import { searchableText } from '../src/storage/search-text.js';
import type { ScoreResult } from '../src/decision/result.js';
import { fingerprint } from '../src/signals/fingerprint/minhash.js';
import { foldText } from '../src/normalise/fold.js';
import { freePort } from '../scripts/lib/serve.js';
import { thresholds } from './helpers/engine.js';
import { repoRoot } from './helpers/paths.js';
import { serveProcess, sitoSync, tempDir } from './helpers/sito-process.js';

async function storeWith(petitions: Array<{ id: string; text: string; subject?: string; email?: string }>) {
  const dir = tempDir();
  const store = SqliteStore.open(dir);
  const engine = new Engine({ rules: loadRules(), thresholds, store });
  for (const p of petitions) await engine.score({ id: p.id, text: p.text, subject: p.subject, sender: p.email ? { email: p.email } : undefined, store: true });
  return { dir, store };
}

describe('full-text search (FTS5 over the folded text)', () => {
  const petitions = [
    { id: 'p1', text: 'Mieszkańcy Łodzi wnoszą o naprawę oświetlenia ulicznego.', subject: 'Oświetlenie' },
    { id: 'p2', text: 'Prośba o ławki w parku miejskim.', email: 'jan.kowalski@example.pl' },
    { id: 'p3', text: 'Żądamy remontu drogi powiatowej; 50% mieszkańców podpisało.' },
  ];
  const ids = async (store: SqliteStore, q: string) => (await store.listPetitions({ q, limit: 50, offset: 0 })).items.map((i) => i.id).sort();

  it('finds words with or without Polish letters, by prefix, in text, subject and sender; and exact ids', async () => {
    const { store } = await storeWith(petitions);
    expect(await ids(store, 'lodzi')).toEqual(['p1']);
    expect(await ids(store, 'ŁODZI')).toEqual(['p1']);
    expect(await ids(store, 'oswietl')).toEqual(['p1']);
    expect(await ids(store, 'żądamy drogi')).toEqual(['p3']);
    expect(await ids(store, 'zadamy ławki')).toEqual([]);
    expect(await ids(store, 'kowalski')).toEqual(['p2']);
    expect(await ids(store, 'p2')).toEqual(['p2']);
    expect(await ids(store, '%')).toEqual([]);
    expect(await ids(store, '"OR*')).toEqual([]);
    expect((await store.listPetitions({ q: 'mieszkancow', limit: 50, offset: 0 })).total).toBe(1);
    // pages of a search: newest first, the total counts every match
    const all = await store.listPetitions({ q: 'm', limit: 50, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.id)).toEqual(['p3', 'p2', 'p1']);
    expect((await store.listPetitions({ q: 'm', limit: 1, offset: 1 })).items.map((i) => i.id)).toEqual(['p2']);
    expect((await store.listPetitions({ q: 'm', level: 'low', limit: 50, offset: 0 })).total).toBeLessThanOrEqual(3);
    await store.close();
  });

  it('erased petitions are no longer found', async () => {
    const { store } = await storeWith(petitions);
    await store.writeTransaction((tx) => tx.erasePetitions({ id: 'p1' }, new Date().toISOString()));
    expect(await ids(store, 'lodzi')).toEqual([]);
    await store.close();
  });

  it('petitions stored before the index existed are indexed at the next open', async () => {
    const { dir, store } = await storeWith(petitions);
    await store.close();
    const db = new Database(`${dir}/sito.db`);
    db.exec("DELETE FROM petitions_fts; DELETE FROM meta WHERE key = 'fts_filled'");
    db.close();
    const reopened = SqliteStore.open(dir);
    expect(await ids(reopened, 'ławki')).toEqual(['p2']);
    await reopened.close();
  });

  it('an index that kept word positions (before migration 48) is made again without them, holding the same petitions', async () => {
    const { dir, store } = await storeWith([...petitions, { id: 'p4', text: 'Wnosimy o nowe ławki przy szkole.' }]);
    await store.writeTransaction((tx) => tx.erasePetitions({ id: 'p4' }, new Date().toISOString()));
    const before = { lawki: await ids(store, 'ławki'), m: await ids(store, 'm'), two: await ids(store, 'żądamy drogi') };
    await store.close();
    // the database as migration 47 left it: the index of migration 12, with positions, holding the
    // petitions not erased
    const db = new Database(`${dir}/sito.db`);
    db.exec(`DROP TABLE petitions_fts; DELETE FROM schema_migrations WHERE version = 48;
      CREATE VIRTUAL TABLE petitions_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');`);
    const rows = db.prepare('SELECT seq, text, subject, sender_email FROM petitions WHERE deleted_at IS NULL').all() as Array<{ seq: number; text: string; subject: string | null; sender_email: string | null }>;
    for (const r of rows) db.prepare('INSERT INTO petitions_fts (rowid, body) VALUES (?, ?)').run(r.seq, searchableText(r.text, r.subject, r.sender_email));
    expect((db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'petitions_fts'").get() as { sql: string }).sql).not.toContain('detail=none');
    db.close();
    const reopened = SqliteStore.open(dir);
    const check = new Database(`${dir}/sito.db`, { readonly: true });
    expect((check.prepare("SELECT sql FROM sqlite_schema WHERE name = 'petitions_fts'").get() as { sql: string }).sql).toContain('detail=none');
    expect(check.prepare("SELECT 1 FROM meta WHERE key = 'fts_filled'").get()).toBeTruthy();
    check.close();
    expect({ lawki: await ids(reopened, 'ławki'), m: await ids(reopened, 'm'), two: await ids(reopened, 'żądamy drogi') }).toEqual(before);
    expect(before.lawki).toEqual(['p2']); // the erased p4 is not indexed again
    await reopened.close();
  });
});

describe('the full-text index takes stored petitions in batches', () => {
  const waiting = (store: SqliteStore) => (store.sync.connection.prepare('SELECT COUNT(*) AS n FROM fts_pending').get() as { n: number }).n;
  const indexed = (store: SqliteStore) => (store.sync.connection.prepare('SELECT rowid FROM petitions_fts ORDER BY rowid').pluck().all() as number[]);
  const until = async (done: () => boolean, ms = 5000) => {
    for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    return done();
  };
  const find = async (store: SqliteStore, q: string) => (await store.listPetitions({ q, limit: 50, offset: 0 })).items.map((i) => i.id);

  it('a stored petition waits for the index, and the first search finds it all the same', async () => {
    const { store } = await storeWith([{ id: 'w1', text: 'Wnosimy o naprawę chodnika przy ulicy Szkolnej.' }]);
    expect(waiting(store)).toBe(1);
    expect(indexed(store)).toEqual([]);
    expect(await find(store, 'chodnika')).toEqual(['w1']);
    expect(waiting(store)).toBe(0);
    expect(indexed(store)).toHaveLength(1);
    await store.close();
  });

  it('the store indexes what waits by itself, a batch at a time, and every petition once', async () => {
    const many = Array.from({ length: 450 }, (_, i) => ({ id: `b${i}`, text: `Petycja numer ${i}: prosimy o ławkę w parku przy ulicy ${i}.` }));
    const { store } = await storeWith(many);
    expect(await until(() => waiting(store) === 0)).toBe(true);
    const rows = indexed(store);
    expect(rows).toHaveLength(450);
    expect(new Set(rows).size).toBe(450);
    expect((await store.listPetitions({ q: 'ławkę', limit: 1, offset: 0 })).total).toBe(450);
    await store.close();
  });

  it('a petition erased while it waits is never indexed', async () => {
    const { store } = await storeWith([
      { id: 'e1', text: 'Prosimy o nowe oświetlenie boiska.' },
      { id: 'e2', text: 'Prosimy o nowy przystanek autobusowy.' },
    ]);
    expect(waiting(store)).toBe(2);
    await store.writeTransaction((tx) => tx.erasePetitions({ id: 'e1' }, new Date().toISOString()));
    expect(waiting(store)).toBe(1);
    expect(await find(store, 'prosimy')).toEqual(['e2']);
    expect(indexed(store)).toHaveLength(1);
    // and one erased once indexed leaves the index
    await store.writeTransaction((tx) => tx.erasePetitions({ id: 'e2' }, new Date().toISOString()));
    expect(indexed(store)).toEqual([]);
    expect(await find(store, 'prosimy')).toEqual([]);
    await store.close();
  });

  it('closing indexes the rest, and a store opened over petitions left waiting indexes them', async () => {
    const { dir, store } = await storeWith([{ id: 'c1', text: 'Wnioskujemy o remont świetlicy wiejskiej.' }]);
    await store.close();
    let db = new Database(`${dir}/sito.db`);
    expect(db.prepare('SELECT COUNT(*) FROM fts_pending').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM petitions_fts').pluck().get()).toBe(1);
    // a process that ended without closing its store: its petitions still wait
    const sync = SqliteStoreSync.open(dir);
    const seq = db.prepare("SELECT seq FROM petitions WHERE id = 'c1'").pluck().get() as number;
    db.prepare('DELETE FROM petitions_fts WHERE rowid = ?').run(seq);
    db.prepare('INSERT INTO fts_pending (seq) VALUES (?)').run(seq);
    db.close();
    sync.connection.close();
    const reopened = SqliteStore.open(dir);
    expect(await until(() => waiting(reopened) === 0)).toBe(true);
    expect(indexed(reopened)).toEqual([seq]);
    await reopened.close();
    db = new Database(`${dir}/sito.db`, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM petitions_fts').pluck().get()).toBe(1);
    db.close();
  });

  it('two stores on one file (two connections, as two processes have) index each petition once', async () => {
    const dir = tempDir();
    const a = SqliteStore.open(dir);
    const b = SqliteStore.open(dir);
    const ea = new Engine({ rules: loadRules(), thresholds, store: a });
    const eb = new Engine({ rules: loadRules(), thresholds, store: b });
    for (let i = 0; i < 120; i++) await (i % 2 ? ea : eb).score({ id: `t${i}`, text: `Mieszkańcy osiedla ${i} proszą o kosz na śmieci.`, store: true });
    expect(await until(() => waiting(a) === 0)).toBe(true);
    const rows = indexed(a);
    expect(rows).toHaveLength(120);
    expect(new Set(rows).size).toBe(120);
    await a.close();
    await b.close();
  });
});

describe('LSH look-ups stay bounded as the store grows', () => {
  const result = (id: string): ScoreResult => ({ id, score: 0.1, level: 'low', track: 'standard', traits: { mass_mailing: 0, vendor_promotion: 0 }, reasons: [], campaign: null, model: { version: 't', embedding: null } });
  const fp = fingerprint(foldText('Wnoszę o naprawę chodnika przy ulicy Lipowej, bo dzieci chodzą tamtędy do szkoły.').folded);
  const put = (store: SqliteStoreSync, id: string, keys: number[]) =>
    store.insertPetition({ id, receivedAt: null, storedAt: new Date().toISOString(), subject: null, senderName: null, senderEmail: null, text: id, result: result(id), fingerprint: fp }, null, keys);

  it('a band key hundreds of petitions share (a common phrase) gives its newest petitions, after every petition sharing an uncommon key', () => {
    const store = SqliteStoreSync.open(tempDir());
    const COMMON = 7_000_000_001;
    store.writeTransaction(() => {
      put(store, 'old', [COMMON, 11, 12]);
      for (let i = 0; i < COMMON_KEY_REFS * 3; i++) put(store, `q${i}`, [COMMON, 2_000_000 + i, 3_000_000 + i]);
      put(store, 'also-old', [13]);
    });
    const ids = (keys: number[], limit = 32) => store.candidates(keys, limit).map((c) => c.id);
    // only the common key: its newest petitions, newest first (not whichever rows come first)
    expect(ids([COMMON], 5)).toEqual(['q299', 'q298', 'q297', 'q296', 'q295']);
    // an old petition sharing an uncommon key comes before the flood of the common key's petitions,
    // (ties: newest first)
    expect(ids([COMMON, 11, 13, 2_000_000 + 299, 3_000_000 + 299], 3)).toEqual(['q299', 'also-old', 'old']);
    expect(ids([COMMON, 12, 3_000_000], 2)).toEqual(['q0', 'old']);
    store.close();
  });

  it('inbox totals by level and by campaign count the right petitions (counted without reading campaigns)', () => {
    const store = SqliteStoreSync.open(tempDir());
    const level = (i: number) => (['high', 'review', 'low'] as const)[i % 3]!;
    store.writeTransaction(() => {
      for (let i = 0; i < 60; i++) {
        store.insertPetition({ id: `p${i}`, receivedAt: null, storedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), subject: null, senderName: null, senderEmail: null, text: `p${i}`, result: { ...result(`p${i}`), level: level(i) }, fingerprint: fp }, i >= 10 && i < 30 ? store.campaign('kmp-a')?.id ?? null : null, null);
        if (i === 9) store.createCampaign('kmp-a', 'p9');
      }
    });
    const total = (f: Partial<Parameters<SqliteStoreSync['listPetitions']>[0]>) => store.listPetitions({ limit: 5, offset: 0, ...f }).total;
    expect(total({})).toBe(60);
    expect(total({ level: 'high' })).toBe(20);
    expect(total({ campaign: 'kmp-a' })).toBe(21);
    expect(total({ campaign: 'kmp-a', level: 'review' })).toBe(7);
    expect(total({ campaign: 'kmp-none' })).toBe(0);
    const page = store.listPetitions({ campaign: 'kmp-a', limit: 3, offset: 0 });
    expect(page.items.map((i) => [i.id, i.campaign?.id, i.campaign?.size])).toEqual([['p29', 'kmp-a', 21], ['p28', 'kmp-a', 21], ['p27', 'kmp-a', 21]]);
    store.close();
  });
});

describe('the vector index is bounded', () => {
  const unit = (i: number, dim = 4) => {
    const v = new Float32Array(dim);
    v[i % dim] = 1;
    return v;
  };
  it('keeps only the newest vectors when full', () => {
    const index = new VectorIndex(4, 3);
    for (let i = 0; i < 5; i++) index.add(`v${i}`, unit(i), 'high');
    expect(index.size).toBe(3);
    // v3 took v0's slot and v4 took v1's: v2, v3 and v4 remain
    expect(index.nearest(unit(0), 1)[0]!.id).toBe('v4');
    expect(index.nearest(unit(1), 1)[0]!.similarity).toBeLessThan(1);
    expect(index.nearest(unit(2), 1)[0]!.id).toBe('v2');
  });
});

describe('training uploads', () => {
  const corpus = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<{ id: string; label: string; family: string; text: string }>;
  const csv = stringify(corpus.filter((_, i) => i % 3 === 0), { header: true, columns: ['id', 'label', 'family', 'text'] });
  const trainingChildren = (pid: number) =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return ppid === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('train');
        } catch {
          return false;
        }
      });

  it('one training at a time (429 for another); one the client abandons is killed; one past its time is stopped (504)', async () => {
    const s = await serveProcess({ SITO_DATA_DIR: tempDir(), SITO_EMBEDDING_MODEL: 'none', SITO_TRAINING_TIMEOUT_SECONDS: '600' }, await freePort());
    try {
      const post = (signal?: AbortSignal) => fetch(`${s.url}/v1/models`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv, ...(signal ? { signal } : {}) });
      const abort = new AbortController();
      const first = post(abort.signal).catch((e: Error) => e);
      await expect.poll(() => trainingChildren(s.child.pid!).length, { timeout: 20_000, interval: 100 }).toBe(1);
      const second = await post();
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).not.toBeNull();
      abort.abort();
      expect(await first).toBeInstanceOf(Error);
      await expect.poll(() => trainingChildren(s.child.pid!).length, { timeout: 20_000, interval: 100 }).toBe(0);
    } finally {
      await s.stop();
    }
    const t = await serveProcess({ SITO_DATA_DIR: tempDir(), SITO_EMBEDDING_MODEL: 'none', SITO_TRAINING_TIMEOUT_SECONDS: '1' }, await freePort());
    try {
      const r = await fetch(`${t.url}/v1/models`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(r.status).toBe(504);
      expect(((await r.json()) as { error: string }).error).toBe('training_timeout');
      expect(trainingChildren(t.child.pid!)).toHaveLength(0);
    } finally {
      await t.stop();
    }
  }, 120_000);

  it('a CSV field longer than the scoring limit (1 000 000 characters) is refused, naming the line and column', async () => {
    const dir = tempDir();
    const exact = `${dir}/long.csv`;
    writeFileSync(exact, `text,label\nkrótka,regular\n"${'a'.repeat(1_000_001)}",mass\n`);
    const huge = `${dir}/huge.csv`;
    writeFileSync(huge, `text,label\n"${'a '.repeat(3_000_000)}",mass\n`);
    const read = async (f: string) => {
      try {
        for await (const _ of readLabelledCsv(f));
        return null;
      } catch (e) {
        return e as CsvError;
      }
    };
    const e1 = await read(exact);
    expect(e1).toBeInstanceOf(CsvError);
    expect(e1!.message).toMatch(/line 3, column text: .*1000000/);
    const e2 = await read(huge);
    expect(e2).toBeInstanceOf(CsvError);
    expect(e2!.message).toMatch(/line 2.*at most 1000000 characters/);
  });

  it('training on a handful of rows warns', () => {
    const dir = tempDir();
    const file = `${dir}/tiny.csv`;
    writeFileSync(file, stringify(corpus.filter((r) => r.label === 'mass').slice(0, 3).concat(corpus.filter((r) => r.label !== 'mass').slice(0, 3)), { header: true, columns: ['id', 'label', 'family', 'text'] }));
    const r = sitoSync(['train', file, '--folds', '2'], { env: { SITO_DATA_DIR: dir, SITO_EMBEDDING_MODEL: 'none' } });
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/warning: trained on only 6 petitions \(3 mass, 3 regular\)/);
  }, 60_000);
});
