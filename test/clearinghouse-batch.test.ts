import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyFingerprint } from '../src/clearinghouse/keyed-fingerprint.js';
import { SqliteClearinghouseStore } from '../src/clearinghouse/sqlite-store.js';
import type { IncomingReport } from '../src/clearinghouse/store.js';
import { normalise } from '../src/normalise/normalise.js';
import { fingerprint } from '../src/signals/fingerprint/minhash.js';
import { repoRoot } from './helpers/paths.js';
import { tempDir } from './helpers/sito-process.js';

// a batch reads the LSH index of all its reports at once: its grouping must be the one of
// inserting the same reports one by one, in the same order
const SECRET = 'sekret-partii-testowej-2025';
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const SYLLABLES = ['ka', 'mo', 'ra', 'we', 'li', 'sto', 'pra', 'dzie', 'nie', 'go', 'szcze', 'rzy', 'tu', 'ło', 'cha', 'bi', 'zy', 'pe'];
const word = () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join('');
const sentence = (n: number) => Array.from({ length: n }, word).join(' ') + '.';
// a formula most petitions share (its band keys become stop keys), texts of their own, and campaigns copied with small edits
const FORMULA = Array.from({ length: 3 }, () => sentence(12)).join(' ');
const ownText = () => `${FORMULA} ${Array.from({ length: 5 }, () => sentence(12)).join(' ')}`;
const CAMPAIGNS = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => sentence(12)).join(' '));
const copy = (c: number, i: number) => `Gmina ${word()} nr ${i}. ${CAMPAIGNS[c]} Podpisano ${word()} ${word()}.`;

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const report = (text: string, id = uuid()): IncomingReport => ({ id, fingerprint: keyFingerprint(fingerprint(normalise(text).folded), SECRET), receivedDay: `2025-03-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`, mark: rand() < 0.1 ? 'mass' : null });

function dump(dir: string) {
  const db = new Database(join(dir, 'clearinghouse.db'), { readonly: true });
  const out = {
    reports: db.prepare('SELECT seq, id, office, cluster, received_day, mark, signature, shingles FROM ch_reports ORDER BY seq').raw(true).all(),
    clusters: db.prepare('SELECT * FROM ch_clusters ORDER BY id').raw(true).all(),
    offices: db.prepare('SELECT * FROM ch_cluster_offices ORDER BY cluster, office').raw(true).all(),
    lsh: db.prepare('SELECT * FROM ch_lsh ORDER BY key, cluster').raw(true).all(),
    stops: db.prepare('SELECT key FROM ch_stop_keys ORDER BY key').pluck(true).all(),
  };
  db.close();
  return out;
}

describe('clearinghouse batches on SQLite', () => {
  const dirs: string[] = [];
  const open = () => {
    const dir = tempDir('sito-chb-');
    dirs.push(dir);
    return { dir, store: SqliteClearinghouseStore.open(dir) };
  };

  it('groups a batch exactly as its reports inserted one by one (copies in one batch, stop keys, retries in the batch)', async () => {
    // batches of one office each: campaign copies interleaved with offices' own texts
    const batches: Array<{ office: string; reports: IncomingReport[] }> = [];
    for (let b = 0; b < 12; b++) {
      const reports: IncomingReport[] = [];
      for (let i = 0; i < 30; i++) reports.push(report(rand() < 0.5 ? ownText() : copy(Math.floor(rand() * CAMPAIGNS.length), b * 100 + i)));
      // a retry of an id earlier in the same batch, and of an id of an earlier batch
      reports.push({ ...reports[3]!, fingerprint: report(ownText()).fingerprint });
      if (b > 0) reports.push(batches[b - 1]!.reports[0]!);
      batches.push({ office: `office-${b % 5}`, reports });
    }
    const one = open();
    const many = open();
    const answersOne = [];
    const answersMany = [];
    for (const batch of batches) {
      const answer = { accepted: 0, duplicates: 0, rejected: [] as Array<{ id: string; problem: string }> };
      for (const r of batch.reports) {
        const a = await one.store.addReports(batch.office, [r]);
        answer.accepted += a.accepted;
        answer.duplicates += a.duplicates;
        answer.rejected.push(...a.rejected);
      }
      answersOne.push(answer);
      answersMany.push(await many.store.addReports(batch.office, batch.reports));
    }
    await one.store.close();
    await many.store.close();
    expect(answersMany).toEqual(answersOne);
    const a = dump(one.dir);
    const b = dump(many.dir);
    // the input exercises what could diverge: campaigns with several copies per batch, new stop keys, rejected retries
    expect(a.stops.length).toBeGreaterThan(0);
    expect(a.clusters.length).toBeLessThan(a.reports.length - 50);
    expect(answersOne.some((x) => x.duplicates > 0) && answersOne.some((x) => x.rejected.length > 0)).toBe(true);
    expect(b).toEqual(a);
  }, 60_000);

  it('stores batches that arrive together in one commit exactly as one after another, and a failing batch alone is undone', async () => {
    const batches: Array<{ office: string; reports: IncomingReport[] }> = [];
    for (let b = 0; b < 10; b++) {
      const reports = Array.from({ length: 20 }, (_, i) => report(rand() < 0.5 ? ownText() : copy(Math.floor(rand() * CAMPAIGNS.length), 5000 + b * 100 + i)));
      if (b > 0) reports.push(batches[b - 1]!.reports[1]!); // another office's report id
      if (b >= 4) reports.push(batches[b - 4]!.reports[2]!); // a retry of the same office's report
      batches.push({ office: `office-${b % 4}`, reports });
    }
    const apart = open();
    const together = open();
    const answersApart = [];
    for (const batch of batches) answersApart.push(await apart.store.addReports(batch.office, batch.reports));
    // all at once: one group commit, in the order the batches came
    const answersTogether = await Promise.all(batches.map((batch) => together.store.addReports(batch.office, batch.reports)));
    expect(answersTogether).toEqual(answersApart);
    expect(answersApart.some((x) => x.rejected.length > 0) && answersApart.some((x) => x.duplicates > 0)).toBe(true);

    // a batch whose last report breaks a constraint (a mark the schema refuses) fails alone, in the middle of a group
    const good1 = [report(ownText()), report(copy(0, 9001))];
    const bad = [report(ownText()), { ...report(ownText()), mark: 'spam' as unknown as IncomingReport['mark'] }];
    const good2 = [report(ownText())];
    const apartBefore = dump(together.dir).reports.length;
    const outcomes = await Promise.allSettled([together.store.addReports('office-1', good1), together.store.addReports('office-2', bad), together.store.addReports('office-3', good2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    for (const r of [...good1, ...good2]) await apart.store.addReports(r === good2[0] ? 'office-3' : 'office-1', [r]);
    await apart.store.close();
    await together.store.close();
    const a = dump(apart.dir);
    const b = dump(together.dir);
    expect(b.reports.length).toBe(apartBefore + 3);
    expect(b.reports.map((r) => (r as unknown[])[1])).not.toContain(bad[0]!.id);
    expect(b).toEqual(a);
  }, 60_000);

  it('groups the same whether the newest index rows are merged often, in small chunks between batches, or only at close', async () => {
    const batches: Array<{ office: string; reports: IncomingReport[] }> = [];
    for (let b = 0; b < 16; b++) {
      const reports = Array.from({ length: 15 }, (_, i) => report(rand() < 0.5 ? ownText() : copy(Math.floor(rand() * CAMPAIGNS.length), 20000 + b * 100 + i)));
      batches.push({ office: `office-${b % 6}`, reports });
    }
    const never = open();
    const oftenDir = tempDir('sito-chb-');
    dirs.push(oftenDir);
    const often = { dir: oftenDir, store: SqliteClearinghouseStore.open(oftenDir, undefined, { mergeRows: 200, mergeChunk: 50 }) };
    let mergedMidway = 0;
    for (const [i, batch] of batches.entries()) {
      expect(await often.store.addReports(batch.office, batch.reports)).toEqual(await never.store.addReports(batch.office, batch.reports));
      // a merge's chunks run on later turns: let some of them run, and the next batch come in the middle
      for (let t = 0; t < i % 3; t++) await new Promise((r) => setImmediate(r));
      if (i === 10) {
        const peek = new Database(join(oftenDir, 'clearinghouse.db'), { readonly: true });
        mergedMidway = peek.prepare('SELECT COUNT(*) FROM ch_lsh').pluck().get() as number;
        peek.close();
        // never merged yet: its index rows are all still in the process
        const peekNever = new Database(join(never.dir, 'clearinghouse.db'), { readonly: true });
        expect(peekNever.prepare('SELECT COUNT(*) FROM ch_lsh').pluck().get()).toBe(0);
        peekNever.close();
      }
    }
    expect(mergedMidway).toBeGreaterThan(0);
    await never.store.close();
    await often.store.close();
    expect(dump(often.dir)).toEqual(dump(never.dir));
  }, 60_000);

  it('keeps the index rows a killed process had not merged yet: they are made again from the stored signatures', async () => {
    const dir = tempDir('sito-chb-');
    dirs.push(dir);
    const texts = [copy(2, 30001), copy(2, 30002), ownText()];
    // a real process stores three reports (their index rows only in its memory) and is killed
    const script = join(dir, 'crash.mts');
    const src = (f: string) => JSON.stringify(pathToFileURL(join(repoRoot, 'src', f)).href);
    writeFileSync(
      script,
      `import { SqliteClearinghouseStore } from ${src('clearinghouse/sqlite-store.ts')};
       import { keyFingerprint } from ${src('clearinghouse/keyed-fingerprint.ts')};
       import { normalise } from ${src('normalise/normalise.ts')};
       import { fingerprint } from ${src('signals/fingerprint/minhash.ts')};
       const store = SqliteClearinghouseStore.open(${JSON.stringify(dir)});
       const texts = ${JSON.stringify(texts)};
       for (const [i, t] of texts.entries())
         await store.addReports('office-' + i, [{ id: '00000000-0000-4000-9000-00000000000' + i, fingerprint: keyFingerprint(fingerprint(normalise(t).folded), ${JSON.stringify(SECRET)}), receivedDay: '2025-04-0' + (i + 1), mark: null }]);
       process.kill(process.pid, 'SIGKILL');`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(child.signal).toBe('SIGKILL');
    const after = dump(dir);
    expect(after.reports.length).toBe(3);
    expect(after.lsh.length).toBe(0);
    const store = SqliteClearinghouseStore.open(dir);
    try {
      // found by a look-up, and a further copy joins the campaign's cluster instead of starting one
      expect((await store.lookup('office-9', report(copy(2, 30003)).fingerprint)).offices).toBe(2);
      expect((await store.lookup('office-9', report(texts[2]!).fingerprint)).offices).toBe(1);
      await store.addReports('office-8', [report(copy(2, 30004))]);
      expect(dump(dir).clusters.length).toBe(2);
    } finally {
      await store.close();
    }
    expect(dump(dir).lsh.length).toBeGreaterThan(0);
  }, 60_000);

  it("sees the rows another process buffered or merged, whichever it did last", async () => {
    const dir = tempDir('sito-chb-');
    dirs.push(dir);
    const buffering = SqliteClearinghouseStore.open(dir);
    const merging = SqliteClearinghouseStore.open(dir, undefined, { mergeRows: 1 });
    try {
      for (let i = 0; i < 3; i++) await buffering.addReports(`b-${i}`, [report(copy(3, 40000 + i))]);
      // the other process reads those reports' rows before its own write, and merges everything after it
      await merging.addReports('m-0', [report(ownText())]);
      for (let t = 0; t < 5; t++) await new Promise((r) => setImmediate(r));
      expect(dump(dir).lsh.length).toBeGreaterThan(0);
      // the first process's buffer now repeats what the index holds: still one cluster, each office once
      await buffering.addReports('b-9', [report(copy(3, 40009))]);
      expect(dump(dir).clusters.length).toBe(2);
      expect((await buffering.lookup('q', report(copy(3, 40010)).fingerprint)).offices).toBe(4);
      expect((await merging.lookup('q', report(copy(3, 40011)).fingerprint)).offices).toBe(4);
    } finally {
      await buffering.close();
      await merging.close();
    }
  }, 60_000);

  it('close() stores the batches still waiting for their commit', async () => {
    const { dir, store } = open();
    const reports = [report(ownText()), report(copy(1, 7001))];
    const stored = store.addReports('office-1', reports);
    await store.close();
    expect(await stored).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    // the turn scheduled for that commit comes after close: nothing is stored twice or lost
    await new Promise((r) => setImmediate(r));
    expect(dump(dir).reports.length).toBe(2);
  });
});
