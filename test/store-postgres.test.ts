import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeInStoredVectors } from '../src/runtime.js';
import { VectorIndex } from '../src/signals/embedding/vector-index.js';
import { MIGRATIONS } from '../src/storage/migrations.js';
import { PostgresMigrator } from '../src/storage/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../src/storage/postgres/migrations.js';
import { PostgresStore } from '../src/storage/postgres/store.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/sito-process.js';
import { storeContract } from './store-contract.js';

it('the SQLite and PostgreSQL migrations hold the same versions, in the same order', () => {
  expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
});

describe.skipIf(!hasPostgres)('the office store on PostgreSQL', () => {
  let pg: ThrowawayPostgres;
  let n = 0;
  /** A fresh database per store: the contract's tests start from an empty office. */
  const freshDatabase = async () => {
    const db = `office_${++n}`;
    const admin = await PostgresStore.open(pg.url);
    await admin.pool.query(`CREATE DATABASE ${db}`);
    await admin.close();
    return pg.url.replace(/\/postgres$/, `/${db}`);
  };

  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg?.stop());

  storeContract('PostgreSQL', async () => {
    const store = await PostgresStore.open(await freshDatabase(), { modelCacheDir: tempDir() });
    return { store, cleanup: () => store.close() };
  });

  it('sito migrate: status before, up applies every version once, status after', async () => {
    const url = await freshDatabase();
    const m = new PostgresMigrator(url);
    try {
      expect((await m.status()).every((s) => s.applied_at === null)).toBe(true);
      const applied = await m.up();
      expect(applied.map((s) => s.version)).toEqual(POSTGRES_MIGRATIONS.map((x) => x.version));
      expect(await m.up()).toEqual([]);
      expect((await m.status()).every((s) => s.applied_at !== null)).toBe(true);
    } finally {
      await m.close();
    }
  });

  it('refuses a database migrated by a newer Sito', async () => {
    const url = await freshDatabase();
    const s = await PostgresStore.open(url);
    await s.pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 'x')");
    await s.close();
    await expect(PostgresStore.open(url)).rejects.toThrow(/schema version 999, newer than this Sito knows/);
  });

  it('write transactions of several stores (as several instances) serialise: no lost update', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => PostgresStore.open(url, { poolSize: 4 })));
    try {
      await stores[0]!.writeTransaction(async (tx) => {
        await tx.recordAudit({ at: '0', actor: 'counter', address: null, action: 'export', target: '0', detail: null });
      });
      // read the newest counter, write counter + 1: without serialisation, concurrent writers would write the same value
      const bump = (s: PostgresStore) =>
        s.writeTransaction(async (tx) => {
          const last = Number((await tx.auditTrail({ limit: 1 }))[0]!.target);
          await new Promise((r) => setTimeout(r, 2));
          await tx.recordAudit({ at: String(last + 1), actor: 'counter', address: null, action: 'export', target: String(last + 1), detail: null });
        });
      await Promise.all(Array.from({ length: 30 }, (_, i) => bump(stores[i % 3]!)));
      const targets = (await stores[1]!.auditTrail({ limit: 100 })).map((e) => Number(e.target));
      expect(targets).toEqual(Array.from({ length: 31 }, (_, i) => 30 - i));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('search folds as SQLite does, splits addresses into words, and survives a text of a million distinct words', async () => {
    const store = await PostgresStore.open(await freshDatabase());
    try {
      const result = { score: 0.1, level: 'low', track: 'standard', traits: {}, reasons: [], campaign: null, model: { version: 'm', embedding: null } } as never;
      const fingerprint = { signature: new Uint32Array(256), shingles: 1 };
      const base = { receivedAt: null, storedAt: '2026-01-01T00:00:00.000Z', senderName: null, result, fingerprint };
      await store.insertPetition({ ...base, id: 'a', subject: 'Sprawa ŁÓDZKA', senderEmail: 'jan.kowalski@poczta.example.pl', text: 'Żółć gęślą jaźń — prośba o ławki.' }, null, null);
      const huge = Array.from({ length: 1_000_000 }, (_, i) => `s${i.toString(36)}`).join(' ');
      await store.insertPetition({ ...base, id: 'b', subject: null, senderEmail: null, text: huge }, null, null);
      const q = async (text: string) => (await store.listPetitions({ q: text, limit: 10, offset: 0 })).items.map((i) => i.id);
      expect(await q('lodzk')).toEqual(['a']);
      expect(await q('zolc GESLA')).toEqual(['a']);
      expect(await q('kowalski poczta')).toEqual(['a']);
      expect(await q('ławki')).toEqual(['a']);
      expect(await q('s0 s1')).toEqual(['b']);
      expect(await q('b')).toEqual(['b']); // an exact id
      expect(await q('nicztego')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a model trained on another machine is loaded from the database', async () => {
    const url = await freshDatabase();
    const dir = tempDir();
    mkdirSync(join(dir, 'models'));
    const file = join(dir, 'models', 'm-2.json');
    writeFileSync(file, '{"version":"m-2"}');
    const here = await PostgresStore.open(url);
    await here.registerModel({ version: 'm-2', source: 'trained', path: file, created_at: '2026-01-01T00:00:00.000Z', card: {} });
    await here.close();
    const cache = tempDir();
    const there = await PostgresStore.open(url, { modelCacheDir: cache });
    try {
      expect((await there.model('m-2'))!.path).toBe(file); // the file is here (same machine): used as it is
      const { rmSync } = await import('node:fs');
      rmSync(file);
      const rec = (await there.model('m-2'))!;
      expect(rec.path.startsWith(cache)).toBe(true);
      expect(readFileSync(rec.path, 'utf8')).toBe('{"version":"m-2"}');
    } finally {
      await there.close();
    }
  });

  it('an instance takes in the vectors other instances stored (the embedding signal across instances)', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    try {
      const index = new VectorIndex(4, 100);
      const rt = { store: b, vectors: { model: 'm', index } };
      const result = { score: 0.9, level: 'high', track: 'petycje_masowe', traits: {}, reasons: [], campaign: null, model: { version: 'x', embedding: 'm' } } as never;
      for (let i = 0; i < 3; i++) {
        await a.insertPetition({ id: `v${i}`, receivedAt: null, storedAt: '2026-01-01T00:00:00.000Z', subject: null, senderName: null, senderEmail: null, text: `t${i}`, result, fingerprint: { signature: new Uint32Array(256), shingles: 1 }, embedding: { model: 'm', vector: new Float32Array([i, 1, 0, 0]) } }, null, null);
      }
      expect(await takeInStoredVectors(rt)).toBe(3);
      expect(await takeInStoredVectors(rt)).toBe(0);
      expect(index.has('v2') && index.size === 3).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('sito backup on PostgreSQL is pg_dump', async () => {
    const store = await PostgresStore.open(await freshDatabase());
    const file = join(tempDir(), 'office.dump');
    try {
      await store.backup(file);
      expect(existsSync(file) && statSync(file).size > 1000).toBe(true);
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');
    } finally {
      await store.close();
    }
  });
});
