import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint, type KeyedFingerprint } from '../src/clearinghouse/keyed-fingerprint.js';
import { FIRST_BANDS } from '../src/clearinghouse/clusters.js';
import { PostgresClearinghouseStore } from '../src/clearinghouse/postgres-store.js';
import { SqliteClearinghouseStore } from '../src/clearinghouse/sqlite-store.js';
import type { ClearinghouseStore, IncomingReport } from '../src/clearinghouse/store.js';
import { normalise } from '../src/normalise/normalise.js';
import { fingerprint } from '../src/signals/fingerprint/minhash.js';
import { airCampaign, BUS_SHELTER, LIBRARY, OFFICE_EDITS, RESIDENTS, youthCouncil } from './helpers/clearinghouse-texts.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/sito-process.js';

const SECRET = 'sekret-federacji-testowej-2024';
const keyed = (text: string, secret = SECRET): KeyedFingerprint => keyFingerprint(fingerprint(normalise(text).folded), secret);
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const report = (text: string, day: string, mark: IncomingReport['mark'] = null): IncomingReport => ({ id: uuid(), fingerprint: keyed(text), receivedDay: day, mark });
const edit = (i: number) => ({ addressee: `Wójt Gminy Nr ${i}`, gmina: `Gmina${i}`, date: `${(i % 27) + 1} czerwca 2024 r.`, number: 100 + i });

interface Backend {
  name: string;
  skip: boolean;
  open: () => Promise<ClearinghouseStore>;
  setUp?: () => Promise<void>;
  tearDown?: () => void;
}

let pg: ThrowawayPostgres | null = null;
let sqliteDir = '';
const backends: Backend[] = [
  { name: 'SQLite', skip: false, setUp: async () => void (sqliteDir = tempDir('sito-chs-')), open: async () => SqliteClearinghouseStore.open(sqliteDir) },
  // the index's buffered rows merged every 50 rows, 16 a transaction: merges under way while reports and look-ups go on
  { name: 'SQLite, merging its index often', skip: false, setUp: async () => void (sqliteDir = tempDir('sito-chs-')), open: async () => SqliteClearinghouseStore.open(sqliteDir, undefined, { mergeRows: 50, mergeChunk: 16 }) },
  {
    name: 'PostgreSQL',
    skip: !hasPostgres,
    setUp: async () => void (pg = await startPostgres()),
    open: async () => PostgresClearinghouseStore.open(pg!.url),
    tearDown: () => pg?.stop(),
  },
];

describe('keyed fingerprints', () => {
  it('keep equal slots equal (near-duplicates still match) and differ entirely under another secret', () => {
    const a = keyed(airCampaign(OFFICE_EDITS[0]!));
    const b = keyed(airCampaign(OFFICE_EDITS[1]!));
    const same = a.signature.filter((v, i) => v === b.signature[i]).length;
    const plainA = fingerprint(normalise(airCampaign(OFFICE_EDITS[0]!)).folded);
    const plainB = fingerprint(normalise(airCampaign(OFFICE_EDITS[1]!)).folded);
    expect(same).toBe(plainA.signature.filter((v, i) => v === plainB.signature[i]).length);
    expect(same / 256).toBeGreaterThan(0.5);
    const other = keyed(airCampaign(OFFICE_EDITS[0]!), 'inny-sekret-innej-federacji');
    expect(other.signature.filter((v, i) => v === a.signature[i]).length).toBeLessThan(3);
    expect(a.signature.filter((v, i) => v === plainA.signature[i]).length).toBeLessThan(3);
  });
});

for (const backend of backends) {
  describe.skipIf(backend.skip)(`clearinghouse store on ${backend.name}`, () => {
    let store: ClearinghouseStore;
    beforeAll(async () => {
      await backend.setUp?.();
      store = await backend.open();
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      backend.tearDown?.();
    });

    it('counts other offices with a near-duplicate, each once, with the earliest day', async () => {
      await store.addReports('a', [report(airCampaign(OFFICE_EDITS[0]!), '2024-05-06')]);
      await store.addReports('a', [report(airCampaign({ ...OFFICE_EDITS[0]!, number: 99 }), '2024-05-08')]);
      await store.addReports('b', [report(airCampaign(OFFICE_EDITS[1]!), '2024-05-07')]);
      await store.addReports('c', [report(airCampaign(OFFICE_EDITS[2]!), '2024-05-09')]);
      expect(await store.lookup('d', keyed(airCampaign(OFFICE_EDITS[3]!)))).toEqual({ offices: 3, first_seen: '2024-05-06', marks: { mass: 0, regular: 0 } });
      expect(await store.lookup('a', keyed(airCampaign(OFFICE_EDITS[3]!)))).toEqual({ offices: 2, first_seen: '2024-05-07', marks: { mass: 0, regular: 0 } });
      // a shortened copy (the first two paragraphs) still matches, by containment
      const short = airCampaign(OFFICE_EDITS[3]!).split('Uzasadnienie:')[0]!;
      expect((await store.lookup('d', keyed(short))).offices).toBe(3);
      expect((await store.stats()).clusters).toBe(1);
    });

    it("does not match unrelated petitions, nor a text under another federation's secret", async () => {
      for (const [i, t] of RESIDENTS.entries()) await store.addReports(`r${i}`, [report(t, '2024-05-10')]);
      for (const [i, t] of RESIDENTS.entries()) expect((await store.lookup(`r${i}`, keyed(t))).offices).toBe(0);
      expect((await store.lookup('z', keyed(LIBRARY))).offices).toBe(0);
      expect((await store.lookup('z', keyed(youthCouncil('Zalesie', 1)))).offices).toBe(0);
      expect((await store.lookup('d', keyed(airCampaign(OFFICE_EDITS[3]!), 'inny-sekret-innej-federacji'))).offices).toBe(0);
    });

    it('is idempotent by report id, and refuses an id another office used', async () => {
      const r = report(youthCouncil('Kutno', 3), '2024-06-01');
      expect(await store.addReports('a', [r])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await store.addReports('a', [r, r])).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
      expect(await store.addReports('b', [r])).toEqual({ accepted: 0, duplicates: 0, rejected: [{ id: r.id, problem: 'this report id is already used' }] });
      expect((await store.lookup('c', keyed(youthCouncil('Łask', 8)))).offices).toBe(1);
    });

    it('keeps marks per office, changeable, visible to others only as counts', async () => {
      const ra = report(youthCouncil('Pisz', 1), '2024-06-02');
      const rb = report(youthCouncil('Ełk', 2), '2024-06-03', 'regular');
      await store.addReports('a', [ra]);
      await store.addReports('e', [rb]);
      expect(await store.setMark('a', ra.id, 'mass')).toBe(true);
      expect(await store.setMark('b', ra.id, 'regular')).toBe(false);
      expect(await store.ownReport('b', ra.id)).toBeNull();
      expect(await store.ownReport('a', ra.id)).toEqual({ id: ra.id, received_day: '2024-06-02', mark: 'mass' });
      // offices a (Kutno + Pisz copies, one office), e
      expect(await store.lookup('x', keyed(youthCouncil('Sieradz', 5)))).toEqual({ offices: 2, first_seen: '2024-06-01', marks: { mass: 1, regular: 1 } });
      expect(await store.setMark('a', ra.id, null)).toBe(true);
      expect((await store.lookup('x', keyed(youthCouncil('Sieradz', 5)))).marks).toEqual({ mass: 0, regular: 1 });
    });

    it('puts concurrent copies of a new text from two store instances (two processes) into one cluster', async () => {
      const second = await backend.open();
      try {
        const before = (await store.stats()).clusters;
        const batches = (offset: number) => Array.from({ length: 8 }, (_, i) => ({ office: `p${offset + i}`, reports: [report(LIBRARY.replace('Szanowna Pani Dyrektor', `Szanowna Pani Dyrektor Szkoły nr ${offset + i}`), '2024-06-10')] }));
        await Promise.all([
          ...batches(0).map((b) => store.addReports(b.office, b.reports)),
          ...batches(8).map((b) => second.addReports(b.office, b.reports)),
        ]);
        expect((await store.stats()).clusters - before).toBe(1);
        expect((await second.lookup('q', keyed(LIBRARY))).offices).toBe(16);
      } finally {
        await second.close();
      }
    }, 30_000);

    it('takes copies of a fully indexed text from four store instances at once (mixed with new texts) without losing an office or splitting a cluster', async () => {
      const others = [await backend.open(), await backend.open(), await backend.open()];
      const stores = [store, ...others];
      try {
        const yc = (i: number) => youthCouncil(`Młodzieżowo ${i}`, 500 + i);
        // the first 20 copies make the cluster fully indexed
        await store.addReports('yc-seed', Array.from({ length: 20 }, (_, i) => report(yc(i), '2024-07-01')));
        const before = await store.stats();
        const seen = (await store.lookup('q', keyed(yc(999)))).offices;
        // 4 instances × 4 batches at once, each batch an office's: copies of the indexed text, and one
        // new text per batch (under band-key locks) beside them
        await Promise.all(
          stores.flatMap((st, s) =>
            Array.from({ length: 4 }, (_, b) => {
              const o = s * 4 + b;
              const copies = Array.from({ length: 6 }, (_, j) => report(yc(100 + o * 6 + j), '2024-07-02'));
              return st.addReports(`yc-${o}`, [...copies, report(`${RESIDENTS[o % RESIDENTS.length]!} Sprawa numer ${o} dotyczy ulicy ${['Lipowej', 'Klonowej', 'Dębowej', 'Brzozowej'][b]} w miejscowości Nowa Wieś ${o}.`, '2024-07-02')]);
            }),
          ),
        );
        const after = await store.stats();
        expect(after.reports - before.reports).toBe(16 * 7);
        // the copies joined the one cluster: 16 new clusters at most, one per new text
        expect(after.clusters - before.clusters).toBeLessThanOrEqual(16);
        expect((await others[0]!.lookup('q', keyed(yc(999)))).offices).toBe(seen + 16);
      } finally {
        for (const o of others) await o.close();
      }
    }, 60_000);

    it('groups copies of a new text that arrive in one batch into one cluster', async () => {
      const before = (await store.stats()).clusters;
      const bus = (i: number) => `Petycja nr ${i}. ${BUS_SHELTER.replace('Kępa Wielka', `Kępa ${i}`)}`;
      const answer = await store.addReports('batch-office', Array.from({ length: 25 }, (_, i) => report(bus(i), '2024-08-01')));
      expect(answer.accepted).toBe(25);
      expect((await store.stats()).clusters - before).toBe(1);
      expect(await store.lookup('q', keyed(bus(99)))).toEqual({ offices: 1, first_seen: '2024-08-01', marks: { mass: 0, regular: 0 } });
    }, 30_000);

    it('indexes only the first members of a large cluster and still counts every office', async () => {
      const before = await store.stats();
      for (let i = 0; i < 60; i += 20) await store.addReports(`m${i}`, Array.from({ length: 20 }, (_, j) => report(airCampaign(edit(i + j)), '2024-07-01')));
      // each batch is one office's: 3 offices reported 20 copies each
      expect((await store.lookup('q', keyed(airCampaign(edit(999))))).offices).toBe(3 + 3);
      expect((await store.stats()).clusters).toBe(before.clusters);
    }, 30_000);

    it("answers each office with the others' count and earliest day as offices join, report earlier copies and change marks", async () => {
      // signatures made by hand (a text of 300 shingles; copies differ in a few slots): a cluster of its own
      let seed = 91;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed);
      const base = Uint32Array.from({ length: 256 }, random);
      const text = { signature: base, shingles: 300 };
      // each copy differs from the text in 4 slots of its own
      let copies = 0;
      const copy = (day: string, mark: IncomingReport['mark'] = null): IncomingReport => {
        const own = copies++ % 64;
        return { id: uuid(), fingerprint: { signature: base.map((v, slot) => (slot % 64 === own ? random() : v)), shingles: 300 }, receivedDay: day, mark };
      };
      const ask = async (office: string) => store.lookup(office, text);
      await store.addReports('k1', [copy('2024-03-10')]);
      expect(await ask('k1')).toEqual({ offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } });
      await store.addReports('k2', [copy('2024-03-12')]);
      expect(await ask('k1')).toEqual({ offices: 1, first_seen: '2024-03-12', marks: { mass: 0, regular: 0 } });
      expect(await ask('k2')).toEqual({ offices: 1, first_seen: '2024-03-10', marks: { mass: 0, regular: 0 } });
      // k2 reports a copy it received earlier than anyone: it becomes the first office
      await store.addReports('k2', [copy('2024-03-05', 'mass')]);
      expect(await ask('k1')).toEqual({ offices: 1, first_seen: '2024-03-05', marks: { mass: 1, regular: 0 } });
      expect(await ask('k2')).toEqual({ offices: 1, first_seen: '2024-03-10', marks: { mass: 0, regular: 0 } });
      // a third office between them; k1 again (an office counts once, its later day changes nothing)
      await store.addReports('k3', [copy('2024-03-08', 'regular')]);
      await store.addReports('k1', [copy('2024-03-20'), copy('2024-03-21')]);
      expect(await ask('k2')).toEqual({ offices: 2, first_seen: '2024-03-08', marks: { mass: 0, regular: 1 } });
      expect(await ask('k1')).toEqual({ offices: 2, first_seen: '2024-03-05', marks: { mass: 1, regular: 1 } });
      expect(await ask('k3')).toEqual({ offices: 2, first_seen: '2024-03-05', marks: { mass: 1, regular: 0 } });
      expect(await ask('elsewhere')).toEqual({ offices: 3, first_seen: '2024-03-05', marks: { mass: 1, regular: 1 } });
      // k1 equals the first day in one batch of two copies
      await store.addReports('k1', [copy('2024-03-30'), copy('2024-03-05')]);
      expect(await ask('k2')).toEqual({ offices: 2, first_seen: '2024-03-05', marks: { mass: 0, regular: 1 } });
      expect(await ask('k1')).toEqual({ offices: 2, first_seen: '2024-03-05', marks: { mass: 1, regular: 1 } });
    }, 30_000);

    it('joins a full cluster by its first band keys, and by the others when only they match', async () => {
      // signatures made by hand: a text of 400 shingles, its copies differing in a few slots
      let seed = 7;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed);
      const base = Uint32Array.from({ length: 256 }, random);
      const copy = (changed: (slot: number) => boolean): IncomingReport => ({
        id: uuid(),
        fingerprint: { signature: base.map((v, slot) => (changed(slot) ? random() : v)), shingles: 400 },
        receivedDay: '2024-09-01',
        mark: null,
      });
      // 20 members fill the cluster's index (each differs from the text in 4 slots)
      for (let i = 0; i < 20; i++) await store.addReports(`full-${i}`, [copy((slot) => slot % 64 === i)]);
      const before = (await store.stats()).clusters;
      // equal to the text in the first bands: found by them
      await store.addReports('first-bands', [copy((slot) => slot >= FIRST_BANDS * 3 && slot % 5 === 0)]);
      // different in every slot of the first bands, equal in 184 of 256: found only by the later bands
      await store.addReports('later-bands', [copy((slot) => slot < FIRST_BANDS * 3)]);
      expect((await store.stats()).clusters).toBe(before);
      const answer = await store.lookup('asking', { signature: base, shingles: 400 });
      expect(answer.offices).toBe(22);
    }, 30_000);
  });
}

describe('clearinghouse API: report batches', () => {
  it('answers a bad report with 400 naming its index and field, and stores nothing of that batch', async () => {
    const { buildClearinghouseApp } = await import('../src/clearinghouse/server.js');
    const { encodeSignature } = await import('../src/clearinghouse/keyed-fingerprint.js');
    const store = SqliteClearinghouseStore.open(tempDir('sito-ch-api-'));
    const app = await buildClearinghouseApp({ store, keys: [] });
    try {
      const k = keyed(LIBRARY);
      const good = { id: uuid(), signature: encodeSignature(k.signature), shingles: k.shingles, received_day: '2024-05-06' };
      const post = (body: unknown) => app.inject({ method: 'POST', url: '/v1/reports', payload: body as object });
      const cases: Array<[unknown, RegExp]> = [
        [{ reports: [good, { ...good, id: 'nie-uuid' }] }, /^reports\.1\.id: /],
        [{ reports: [{ ...good, id: uuid(), signature: good.signature.slice(1) }] }, /^reports\.0\.signature: .*1368 characters/],
        [{ reports: [{ ...good, id: uuid(), signature: `!${good.signature.slice(1)}` }] }, /^reports\.0\.signature: signature must be base64/],
        [{ reports: [{ ...good, id: uuid(), shingles: -1 }] }, /^reports\.0\.shingles: /],
        [{ reports: [{ ...good, id: uuid(), received_day: '2024-02-30' }] }, /^reports\.0\.received_day: /],
        [{ reports: [{ ...good, id: uuid(), mark: 'spam' }] }, /^reports\.0\.mark: /],
        [{ reports: [] }, /^reports: reports must not be empty/],
        [{ reports: Array.from({ length: 1001 }, () => good) }, /^reports: at most 1000/],
        [{ raporty: [] }, /^reports: expected an array/],
      ];
      for (const [body, message] of cases) {
        const res = await post(body);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_request', message: expect.stringMatching(message) });
      }
      expect((await store.stats()).reports).toBe(0);
      const ok = await post({ reports: [good, { ...good, id: uuid(), mark: 'mass' }] });
      expect(ok.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('opening the clearinghouse store', () => {
  it('takes the SQLite page cache from SITO_CLEARINGHOUSE_CACHE_MB, and refuses a value that is not a size', async () => {
    const { openClearinghouseStore } = await import('../src/clearinghouse/open-store.js');
    const dir = tempDir('sito-ch-cache-');
    const store = await openClearinghouseStore({ SITO_DATA_DIR: dir, SITO_CLEARINGHOUSE_CACHE_MB: '64' });
    try {
      const db = (store as unknown as { db: { pragma: (p: string, o: { simple: true }) => number } }).db;
      expect(db.pragma('cache_size', { simple: true })).toBe(-64 * 1024);
    } finally {
      await store.close();
    }
    for (const bad of ['1', '64MB', '0.5', '-8']) {
      await expect(openClearinghouseStore({ SITO_DATA_DIR: dir, SITO_CLEARINGHOUSE_CACHE_MB: bad })).rejects.toThrow(/SITO_CLEARINGHOUSE_CACHE_MB/);
    }
  });
});

describe.skipIf(!hasPostgres)('the clearinghouse on an existing PostgreSQL database', () => {
  it('counts the offices of the clusters it already holds when it first starts with the counts in the cluster rows (migration 4)', async () => {
    const { default: pgClient } = await import('pg');
    const server = await startPostgres();
    try {
      let store = await PostgresClearinghouseStore.open(server.url);
      await store.addReports('a', [report(airCampaign(OFFICE_EDITS[0]!), '2024-05-06')]);
      await store.addReports('b', [report(airCampaign(OFFICE_EDITS[1]!), '2024-05-07', 'mass')]);
      await store.addReports('c', [report(airCampaign(OFFICE_EDITS[2]!), '2024-05-09'), report(youthCouncil('Pisz', 1), '2024-06-02', 'regular')]);
      await store.addReports('d', [report(youthCouncil('Ełk', 2), '2024-06-01')]);
      const asks = [
        ['a', airCampaign(OFFICE_EDITS[3]!)],
        ['b', airCampaign(OFFICE_EDITS[3]!)],
        ['x', airCampaign(OFFICE_EDITS[3]!)],
        ['c', youthCouncil('Sieradz', 5)],
        ['d', youthCouncil('Sieradz', 5)],
      ] as const;
      const answers = async () => Promise.all(asks.map(([office, text]) => store.lookup(office, keyed(text))));
      const expected = await answers();
      expect(expected[0]).toEqual({ offices: 2, first_seen: '2024-05-07', marks: { mass: 1, regular: 0 } });
      await store.close();
      // the database as the code before left it
      const c = new pgClient.Client({ connectionString: server.url });
      await c.connect();
      await c.query('ALTER TABLE ch_clusters DROP COLUMN offices, DROP COLUMN first_office, DROP COLUMN second_seen');
      await c.query('DROP INDEX ch_cluster_offices_marked');
      await c.query('DELETE FROM ch_schema_migrations WHERE version = 4');
      await c.end();
      store = await PostgresClearinghouseStore.open(server.url);
      expect(await answers()).toEqual(expected);
      // and keeps counting from there
      await store.addReports('e', [report(airCampaign(edit(5)), '2024-05-01')]);
      expect(await store.lookup('a', keyed(airCampaign(OFFICE_EDITS[3]!)))).toEqual({ offices: 3, first_seen: '2024-05-01', marks: { mass: 1, regular: 0 } });
      expect(await store.lookup('e', keyed(airCampaign(OFFICE_EDITS[3]!)))).toEqual({ offices: 3, first_seen: '2024-05-06', marks: { mass: 1, regular: 0 } });
      await store.close();
    } finally {
      server.stop();
    }
  }, 60_000);
});
