import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import type { Petition } from '../src/ingest/petition-input.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { fillThroughPipeline } from '../scripts/lib/growth-fill.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, pick, rng } from '../scripts/lib/generate-petitions.js';
import { thresholds } from './helpers/engine.js';
import { tempDir } from './helpers/sito-process.js';

/** Generated petitions: a third one-offs, the rest copies of 12 templates; some with a sender. */
function petitions(n: number): Petition[] {
  const r = rng(41);
  const templates = Array.from({ length: 12 }, () => makeTemplate(r));
  return Array.from({ length: n }, (_, i) => {
    const text = r() < 0.35 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), i % 12);
    const sender = r() < 0.5 ? { email: `nadawca${Math.floor(r() * 40)}@example.pl` } : undefined;
    return { id: `t-${i}`, store: true, text, sender, subject: r() < 0.3 ? `Petycja ${i}` : undefined, received_at: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z` };
  });
}

/**
 * Everything a store holds about its petitions, with what differs between two runs of the same
 * pipeline taken out: campaign ids are random (named here by their representative petition), and
 * `stored_at`/`created_at` are clocks.
 */
function snapshot(path: string) {
  const db = new Database(path, { readonly: true });
  const campaigns = db.prepare("SELECT seq, id, source, representative_petition, representative_text, size, distinct_senders, first_seen, last_seen, signature, shingles FROM campaigns ORDER BY representative_petition").all() as Array<Record<string, unknown> & { seq: number; id: string; representative_petition: string }>;
  const name = new Map(campaigns.map((c) => [c.id, `campaign of ${c.representative_petition}`]));
  const bySeq = new Map(campaigns.map((c) => [c.seq, `campaign of ${c.representative_petition}`]));
  const anonymise = (s: string) => s.replace(/kmp-[0-9a-f]{8}/g, (id) => name.get(id) ?? id);
  const rows = db
    .prepare('SELECT seq, id, received_at, subject, sender_name, sender_email, text, score, level, track, model_version, result, campaign_seq, signature, shingles, embedding FROM petitions ORDER BY seq')
    .all() as Array<Record<string, unknown> & { seq: number; id: string; result: string; campaign_seq: number | null }>;
  const idOf = new Map(rows.map((r) => [r.seq, r.id]));
  const out = {
    petitions: rows.map(({ seq: _seq, campaign_seq, result, ...r }) => ({ ...r, campaign: campaign_seq === null ? null : bySeq.get(campaign_seq), result: anonymise(result) })),
    campaigns: campaigns.map(({ seq: _seq, id: _id, ...c }) => c),
    senders: (db.prepare('SELECT campaign_seq, sender FROM campaign_senders').all() as Array<{ campaign_seq: number; sender: string }>).map((s) => `${bySeq.get(s.campaign_seq)} ${s.sender}`).sort(),
    lsh: (db.prepare('SELECT key, ref FROM lsh').all() as Array<{ key: number; ref: number }>).map((l) => `${l.key} ${l.ref > 0 ? idOf.get(l.ref) : bySeq.get(-l.ref)}`).sort(),
    fts: (db.prepare('SELECT rowid, body FROM petitions_fts ORDER BY rowid').all() as Array<{ rowid: number; body: string }>).map((f) => `${idOf.get(f.rowid)} ${f.body}`),
    // the index answers the same searches
    search: ['chodnika', 'lodz', 'fotowoltaiki', 'petycja'].map((w) => (db.prepare('SELECT COUNT(*) AS n FROM petitions_fts WHERE petitions_fts MATCH ?').get(`"${w}"*`) as { n: number }).n),
  };
  db.close();
  return out;
}

describe('growth fill (workers analyse, one writer scores in batched transactions)', () => {
  it('stores exactly what scoring one petition at a time stores: rows, verdicts, campaigns, LSH keys, full-text index', async () => {
    const all = petitions(800);
    const rules = loadRules();
    const open = () => {
      const store = SqliteStore.open(tempDir());
      return { store, engine: new Engine({ rules, thresholds, store }) };
    };
    const one = open();
    for (const p of all) await one.engine.score({ ...p, store: true });
    const fast = open();
    const progress: number[] = [];
    await fillThroughPipeline(fast.engine, fast.store, { count: all.length, at: (i) => all[i]! }, { rulesFile: undefined, workers: 2, batch: 100, progress: (n) => progress.push(n) });
    expect(progress.at(-1)).toBe(800);

    // closed first: closing indexes what still waits for the full-text index
    await one.store.close();
    await fast.store.close();
    const a = snapshot(one.store.path);
    const b = snapshot(fast.store.path);
    // the fill made campaigns worth comparing: several, of several members, some with senders
    expect(a.campaigns.length).toBeGreaterThan(5);
    expect(Math.max(...a.campaigns.map((c) => c.size as number))).toBeGreaterThan(20);
    expect(a.senders.length).toBeGreaterThan(10);
    expect(b.petitions.length).toBe(800);
    expect(b.campaigns).toEqual(a.campaigns);
    expect(b.senders).toEqual(a.senders);
    expect(b.lsh.length).toBe(a.lsh.length);
    expect(b.lsh).toEqual(a.lsh);
    expect(b.fts).toEqual(a.fts);
    expect(b.search).toEqual(a.search);
    expect(b.petitions).toEqual(a.petitions);
  });

  it('a store filled this way goes on scoring as usual (later petitions join its campaigns)', async () => {
    const all = petitions(300);
    const store = SqliteStore.open(tempDir());
    const engine = new Engine({ rules: loadRules(), thresholds, store });
    await fillThroughPipeline(engine, store, { count: 250, at: (i) => all[i]! }, { rulesFile: undefined, workers: 1, batch: 64 });
    const joined: unknown[] = [];
    for (const p of all.slice(250)) if ((await engine.score({ ...p, store: true })).campaign) joined.push(p);
    expect(joined.length).toBeGreaterThan(0);
    expect((await store.stats()).petitions).toBe(300);
    await store.close();
  });
});
