import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { loadLibrary, readLibrary, SHIPPED_LIBRARY } from '../src/storage/known-campaigns.js';
import { openStore } from '../src/storage/open-store.js';
import { COPIED_TABLES } from '../src/storage/postgres/copy.js';
import { PostgresStore } from '../src/storage/postgres/store.js';
import type { Store } from '../src/storage/store.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, rng } from '../scripts/lib/generate-petitions.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { sitoAsync, tempDir } from './helpers/sito-process.js';

/** An office with a row in every table: petitions in campaigns, marks, users, sessions, models, audit, documents, track and outbox. */
async function populate(store: Store, dir: string) {
  const config = loadConfig({ SITO_EMBEDDING_MODEL: 'none' });
  await loadLibrary(store, readLibrary(SHIPPED_LIBRARY));
  const engine = new Engine({ rules: loadRules(config.rulesFile, null), thresholds: config.thresholds, store });
  const r = rng(5);
  const template = makeTemplate(r);
  for (let i = 0; i < 12; i++) await engine.score({ id: `copy-${i}`, text: makeVariant(r, template, new Set(EDITS.slice(0, 3)), 1), store: true, subject: 'Petycja w sprawie zieleni', sender: { email: `mieszkaniec${i}@example.pl`, name: `Mieszkaniec ${i}` }, received_at: `2026-03-${String(i + 1).padStart(2, '0')}` });
  for (let i = 0; i < 8; i++) await engine.score({ id: `local-${i}`, text: `${makeLocal(r)} Łódź, ulica Źródlana ${i}.`, store: true });
  const vector = new Float32Array([0.5, -0.25, 1, 0]);
  const scored = (await store.getPetition('local-0'))!;
  await store.insertPetition(
    { id: 'with-vector', receivedAt: null, storedAt: new Date().toISOString(), subject: null, senderName: null, senderEmail: null, text: 'Petycja z wektorem: prosimy o przejście dla pieszych.', result: scored.result, fingerprint: engine.analyse({ text: 'Petycja z wektorem: prosimy o przejście dla pieszych.' }).fingerprint, embedding: { model: 'test-model', vector } },
    null,
    null,
  );
  // a trained model whose file is only on this machine: its artifact travels in the database
  mkdirSync(join(dir, 'models'), { recursive: true });
  const artifact = join(dir, 'models', 'trained-1.json');
  writeFileSync(artifact, JSON.stringify({ version: 'trained-1', note: 'artifact body' }));
  await store.registerModel({ version: 'default-x', source: 'shipped', path: '/nonexistent/shipped.json', created_at: '2026-01-01T00:00:00.000Z', card: { shipped: true } });
  await store.registerModel({ version: 'trained-1', source: 'trained', path: artifact, created_at: '2026-02-01T00:00:00.000Z', card: { rows: 12 } });
  await store.recordActivation('trained-1');
  await store.addUser('anna', 'clerk', 'scrypt$hash-a');
  await store.addUser('bogdan', 'analyst', 'scrypt$hash-b');
  await store.createSession('token-hash-1', 'anna', 'csrf-1', '2099-01-01T00:00:00.000Z');
  await store.disableUser('bogdan', '2026-04-01T00:00:00.000Z');
  await store.addFeedback({ petition_id: 'copy-0', label: 'mass', login: 'anna', at: '2026-04-02T00:00:00.000Z' });
  await store.addFeedback({ petition_id: 'copy-0', label: 'regular', login: 'anna', at: '2026-04-03T00:00:00.000Z' });
  await store.addFeedback({ petition_id: 'local-1', label: 'regular', login: 'anna', at: '2026-04-03T00:00:00.000Z' });
  await store.recordAudit({ at: '2026-04-02T00:00:00.000Z', actor: 'anna', address: '10.0.0.1', action: 'mark', target: 'copy-0', detail: { label: 'mass' } });
  await store.recordAudit({ at: '2026-04-03T00:00:00.000Z', actor: 'cli:root', address: null, action: 'user_disable', target: 'bogdan', detail: null });
  await store.setLoginFailures('address', '10.0.0.9', '2026-04-03T00:00:00.000Z', 3);
  await store.putDocument({ petitionId: 'local-2', text: (await store.getPetition('local-2'))!.text, contentType: 'application/pdf', filename: 'petycja.pdf', bytes: new Uint8Array([37, 80, 68, 70, 0, 255, 1]), document: { parts: [], skipped: [] } });
  await store.erasePetitions({ id: 'local-3' }, '2026-04-04T00:00:00.000Z');
  const campaign = (await store.getPetition('copy-5'))!.campaign_id!;
  await store.track.setCampaignName(campaign, 'zieleń miejska', ['zieleń', 'drzewa'], 'clerk', 'anna');
  const joint = await store.track.createJoint({ campaign_id: campaign, subject: 'Zieleń', ordered_by: 'anna', ordered_at: '2026-04-05T00:00:00.000Z', announced_on: '2026-04-05', waiting_end: '2026-05-05', deadline: '2026-07-05' });
  await store.track.setMember(joint, 'copy-1', 'member', 'anna');
  await store.track.setMember(joint, 'copy-2', 'rejected', 'anna');
  await store.track.setTemplate('joint', 'Ogłoszenie {temat}', 'anna');
  await store.track.addStatus({ petition_id: 'local-4', status: 'in_progress', note: 'do wydziału', login: 'anna', at: '2026-04-06T00:00:00.000Z' });
  await store.outbox.rememberReport('copy-0', 'report-0');
  await store.outbox.enqueue('report', 'report-0', '{"id":"report-0"}', '2026-04-06T00:00:00.000Z');
  await store.outbox.enqueue('mark', 'report-0', '{"mark":"mass"}', '2026-04-06T00:00:01.000Z');
  await store.outbox.failed([1], 'the clearinghouse is unreachable');
  await store.outbox.enqueue('report', 'report-1', '{"id":"report-1"}', '2026-04-06T00:00:02.000Z');
  await store.outbox.refuse([3], 'the clearinghouse answered 400: reports.0.signature: signature must be base64', 400, '2026-04-06T00:00:03.000Z');
  await store.secret('session');
}

/** Every row of every copied table, as comparable values (bytes as hex). */
async function dumpSqlite(file: string) {
  const db = new Database(file, { readonly: true });
  const out: Record<string, unknown[]> = {};
  for (const { table, order } of COPIED_TABLES) {
    const rows = db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Array<Record<string, unknown>>;
    out[table] = rows.map(plain);
  }
  db.close();
  return out;
}

const NUMERIC = new Set(['seq', 'key', 'ref', 'joint_seq', 'campaign_seq']);

async function dumpPostgres(url: string, columnsOf: Record<string, string[]>) {
  const c = new pg.Client({ connectionString: url, types: { getTypeParser: ((oid: number, f?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, f as 'text'))) as never } });
  await c.connect();
  const out: Record<string, unknown[]> = {};
  for (const { table, order } of COPIED_TABLES) {
    // SQLite orders text byte by byte: so does COLLATE "C"
    const by = order.split(', ').map((o) => (NUMERIC.has(o) ? o : `${o} COLLATE "C"`)).join(', ');
    out[table] = (await c.query(`SELECT ${columnsOf[table]!.join(', ')} FROM ${table} ORDER BY ${by}`)).rows.map(plain);
  }
  await c.end();
  return out;
}

const plain = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v]));

describe.skipIf(!hasPostgres)('sito copy: an office from SQLite to PostgreSQL', () => {
  let pgc: ThrowawayPostgres;
  const dir = tempDir('sito-copy-');

  beforeAll(async () => {
    pgc = await startPostgres();
    const store = await openStore({ dataDir: dir, databaseUrl: undefined });
    try {
      await populate(store, dir);
    } finally {
      await store.close();
    }
  }, 120_000);

  afterAll(() => pgc?.stop());

  it('copies every row of every table, verifies the counts, and the copy works as a store', async () => {
    const r = await sitoAsync(['copy', '--from', `sqlite:${dir}`, '--to', pgc.url]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim()) as { copied: Record<string, number>; verified: boolean };
    expect(report.verified).toBe(true);
    expect(report.copied.petitions).toBe(21);
    for (const t of ['feedback', 'users', 'sessions', 'models', 'model_activations', 'audit_log', 'petition_documents', 'campaign_names', 'joint_members', 'petition_status', 'clearinghouse_outbox', 'clearinghouse_refused', 'clearinghouse_reports', 'login_failures']) {
      expect(report.copied[t], t).toBeGreaterThan(0);
    }
    expect(r.stderr).toBe(''); // no progress line in a pipe

    const sqlite = await dumpSqlite(join(dir, 'sito.db'));
    const columnsOf = Object.fromEntries(Object.entries(sqlite).map(([t, rows]) => [t, rows.length ? Object.keys(rows[0] as object) : ['1 AS none']]));
    const postgres = await dumpPostgres(pgc.url, columnsOf);
    for (const { table } of COPIED_TABLES) expect(postgres[table], table).toEqual(sqlite[table]);

    // the copy is a working office: search (rebuilt from the text), sessions, marks, models, new petitions
    rmSync(join(dir, 'models', 'trained-1.json'));
    const store = await PostgresStore.open(pgc.url, { modelCacheDir: tempDir() });
    try {
      expect((await store.listPetitions({ q: 'zrodlana', limit: 50, offset: 0 })).total).toBe(7); // local-3 was erased
      expect(await store.session('token-hash-1', '2026-05-01T00:00:00.000Z')).toMatchObject({ login: 'anna', role: 'clerk', csrf: 'csrf-1' });
      expect((await store.userWithHash('bogdan'))!.disabled).toBe(true);
      expect((await store.latestFeedback(['copy-0'])).get('copy-0')!.label).toBe('regular');
      const model = (await store.model('trained-1'))!;
      expect(model.path).not.toContain(dir);
      expect((await import('node:fs')).readFileSync(model.path, 'utf8')).toContain('artifact body');
      expect((await store.activations(1))[0]!.version).toBe('trained-1');
      expect((await store.embeddings('test-model'))[0]!.vector).toEqual(new Float32Array([0.5, -0.25, 1, 0]));
      expect((await store.document('local-2', true))!.bytes).toEqual(new Uint8Array([37, 80, 68, 70, 0, 255, 1]));
      expect(await store.outbox.pending()).toBe(2);
      expect((await store.outbox.listRefused(5)).map((r) => [r.report_id, r.http_status])).toEqual([['report-1', 400]]);
      const campaign = (await store.getPetition('copy-5'))!.campaign_id!;
      expect((await store.campaign(campaign))!.size).toBe(12);
      expect((await store.track.campaignNames([campaign])).get(campaign)!.source).toBe('clerk');
      // sequences continue after the copied rows
      const p = (await store.getPetition('local-5'))!;
      await store.insertPetition({ id: 'after-copy', receivedAt: null, storedAt: new Date().toISOString(), subject: null, senderName: null, senderEmail: null, text: 'Nowa petycja po przeniesieniu.', result: p.result, fingerprint: { signature: new Uint32Array(256), shingles: 1 } }, null, null);
      await store.recordAudit({ at: '2026-05-01T00:00:00.000Z', actor: 'anna', address: null, action: 'mark', target: 'after-copy', detail: null });
      expect((await store.auditTrail({ limit: 1 }))[0]!.seq).toBe(3);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses a target that already holds an office, and changes nothing', async () => {
    const r = await sitoAsync(['copy', '--from', `sqlite:${dir}/sito.db`, '--to', pgc.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already holds an office \(.*22 petitions/);
    const store = await PostgresStore.open(pgc.url);
    try {
      expect((await store.stats()).petitions).toBe(22);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('names a missing source and a wrong target', async () => {
    expect((await sitoAsync(['copy', '--from', `sqlite:${dir}/nope.db`, '--to', pgc.url])).stderr).toMatch(/nope\.db: no such file/);
    expect((await sitoAsync(['copy', '--from', `sqlite:${dir}`, '--to', 'mysql://x'])).stderr).toMatch(/--to: expected a postgres:\/\/ URL/);
  }, 60_000);
});
