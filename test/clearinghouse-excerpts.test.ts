import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATES, MORE_MEMBERS, moreMembersWanted, newMembers, PER_CLUSTER, rankCandidates, verifiedClusters, verifyCandidates, type ClusterCandidate } from '../src/clearinghouse/clusters.js';
import { PostgresClearinghouseStore } from '../src/clearinghouse/postgres-store.js';
import { SqliteClearinghouseStore } from '../src/clearinghouse/sqlite-store.js';
import type { ClearinghouseStore, IncomingReport } from '../src/clearinghouse/store.js';
import { compare, isNearDuplicateAtScale, SLOTS, type Fingerprint } from '../src/signals/fingerprint/minhash.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/sito-process.js';

/**
 * A published excerpt (a shortened copy) of a campaign: its word pairs lie mostly inside every
 * office's copy, but each office's own edits leave its containment in any one copy near 0.6–0.7,
 * under the single-copy bar (0.7). Signatures are made by hand: an excerpt of 60 shingles equal to
 * the text in its first 48 slots (16 bands), and offices' copies (200 shingles) each edited in one
 * of those bands and in a few later slots — an estimated containment of about 0.65 in each.
 */
let seed = 11;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed);
const EQUAL = 48;
const text = Uint32Array.from({ length: SLOTS }, random);
const excerpt: Fingerprint = { signature: text.map((v, slot) => (slot < EQUAL ? v : random())), shingles: 60 };
let copies = 0;
/**
 * An office's copy. The index holds a band key once per text, from the first copy that brought it,
 * so the second copy shares a band with the excerpt only where the first was edited: as in real
 * campaigns, whose copies are each edited in their own places.
 */
const copy = (): Fingerprint => {
  const band = copies++ % 16;
  return { signature: text.map((v, slot) => (Math.floor(slot / 3) === band || (slot >= EQUAL && slot % 7 === 0) ? random() : v)), shingles: 200 };
};
const candidate = (cluster: number, fp: Fingerprint): ClusterCandidate => ({ cluster, signature: fp.signature, shingles: fp.shingles });

describe('a published excerpt against the copies of a campaign', () => {
  it('is contained in each copy below the single-copy bar', () => {
    const one = copy();
    const s = compare(excerpt, one);
    expect(s.containment).toBeGreaterThan(0.55);
    expect(s.containment).toBeLessThan(0.7);
    expect(isNearDuplicateAtScale(excerpt, one, s)).toBe(false);
  });

  it('matches a text when two of its copies contain it, not when one text does', () => {
    expect(verifiedClusters(excerpt, [candidate(1, copy())])).toEqual([]);
    expect(verifiedClusters(excerpt, [candidate(1, copy()), candidate(1, copy())])).toEqual([1]);
    // two different texts, each containing it once: no text is confirmed
    expect(verifiedClusters(excerpt, [candidate(1, copy()), candidate(2, copy())])).toEqual([]);
  });

  it('asks whether the copies contain the look-up, not whether the look-up contains them', () => {
    // a long text holding two short ones (as a long resident's petition shares common wording with
    // short ones) is no copy of their text
    const short = (): Fingerprint => ({ signature: excerpt.signature.map((v, slot) => (slot < EQUAL && slot % 16 === 1 ? random() : v)), shingles: 60 });
    const long = copy();
    expect(compare(long, short()).containment).toBeGreaterThan(0.5);
    expect(verifiedClusters(long, [candidate(1, short()), candidate(1, short())])).toEqual([]);
  });

  it('names the text of which one copy alone contains it, for more of its copies to be read', () => {
    const one = { ...candidate(1, copy()), report: 10 };
    const others = [candidate(2, copy()), candidate(2, copy())];
    expect(verifyCandidates(excerpt, [one, ...others])).toEqual({ clusters: [2], containedOnce: [1] });
    // the copy already verified is read again and skipped, so one more is asked for
    const wanted = [{ cluster: 1, limit: MORE_MEMBERS + 1, known: new Set([10]) }];
    expect(moreMembersWanted(excerpt, [one, ...others], 'lookup')).toEqual({ clusters: [2], wanted });
    // a report being stored joins the first text that verified, so it reads no more
    expect(moreMembersWanted(excerpt, [one, ...others], 'insert').wanted).toEqual([]);
    expect(moreMembersWanted(excerpt, [one], 'insert').wanted).toEqual(wanted);
    // of the members read, those not verified yet, MORE_MEMBERS of them
    const read = [10, 11, 12, 13, 14].map((report) => ({ ...candidate(1, copy()), report }));
    expect(newMembers(wanted, read).map((m) => m.report)).toEqual([11, 12, 13]);
  });

  it('a text whose copies each share a band or two is verified even among many single texts sharing one band', () => {
    // 40 single texts, older (lower report numbers), each sharing one band key with the look-up;
    // a campaign of five indexed copies, each sharing one band key too
    const clusters: number[] = [];
    const reports: number[] = [];
    for (let i = 0; i < 40; i++) clusters.push(100 + i), reports.push(i + 1);
    for (let i = 0; i < 5; i++) clusters.push(7), reports.push(1000 + i);
    const chosen = rankCandidates(clusters, reports);
    expect(chosen.length).toBeLessThanOrEqual(CANDIDATES);
    expect(chosen.filter((r) => r >= 1000)).toHaveLength(Math.min(PER_CLUSTER, 5));
    // a text sharing more bands with one report still comes first
    const strong = rankCandidates([...clusters, 200, 200], [...reports, 50, 50]);
    expect(strong[0]).toBe(50);
  });

  it('a text sharing one band with each of five copies is verified among many texts sharing two bands with one report', () => {
    // 40 single texts, older, each sharing two band keys with the look-up; a campaign of five
    // indexed copies sharing one band key each (five in all)
    const clusters: number[] = [];
    const reports: number[] = [];
    for (let i = 0; i < 40; i++) clusters.push(100 + i, 100 + i), reports.push(i + 1, i + 1);
    for (let i = 0; i < 5; i++) clusters.push(7), reports.push(1000 + i);
    const chosen = rankCandidates(clusters, reports);
    expect(chosen.filter((r) => r >= 1000)).toHaveLength(PER_CLUSTER);
    // the texts sharing most with one report still come first
    expect(chosen[0]).toBe(1);
    expect(chosen.length).toBe(CANDIDATES);
  });
});

let pg: ThrowawayPostgres | null = null;
const backends = [
  { name: 'SQLite', skip: false, open: async (): Promise<ClearinghouseStore> => SqliteClearinghouseStore.open(tempDir('sito-che-')) },
  {
    name: 'PostgreSQL',
    skip: !hasPostgres,
    open: async (): Promise<ClearinghouseStore> => {
      pg = await startPostgres();
      return PostgresClearinghouseStore.open(pg.url);
    },
  },
];

let n = 0;
const report = (fp: Fingerprint): IncomingReport => ({ id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, fingerprint: fp, receivedDay: '2024-10-01', mark: null });

for (const backend of backends) {
  describe.skipIf(backend.skip)(`excerpts in the clearinghouse store on ${backend.name}`, () => {
    let store: ClearinghouseStore;
    beforeAll(async () => void (store = await backend.open()), 60_000);
    afterAll(async () => {
      await store?.close();
      pg?.stop();
      pg = null;
    });

    it('counts the offices of a campaign for its excerpt, and no office for an excerpt of a text one office holds', async () => {
      for (let i = 0; i < 5; i++) await store.addReports(`campaign-${i}`, [report(copy())]);
      expect((await store.stats()).clusters).toBe(1);
      expect((await store.lookup('asking', excerpt)).offices).toBe(5);

      // another text, at one office only: its excerpt is contained in that one copy alone
      const other = Uint32Array.from({ length: SLOTS }, random);
      await store.addReports('single', [report({ signature: other, shingles: 200 })]);
      const otherExcerpt = { signature: other.map((v, slot) => (slot < EQUAL ? v : random())), shingles: 60 };
      expect(compare(otherExcerpt, { signature: other, shingles: 200 }).containment).toBeGreaterThan(0.55);
      expect((await store.lookup('asking', otherExcerpt)).offices).toBe(0);
    }, 30_000);

    it('reads more copies of a text when the band keys of an excerpt lead to one copy alone', async () => {
      // copies equal in the excerpt's part: the index lists its band keys under the first copy only
      const campaign = Uint32Array.from({ length: SLOTS }, random);
      const edited = (k: number): Fingerprint => ({ signature: campaign.map((v, slot) => (slot >= EQUAL && slot % 7 === k ? random() : v)), shingles: 200 });
      const shortened: Fingerprint = { signature: campaign.map((v, slot) => (slot < EQUAL && slot % 16 !== 0 ? v : random())), shingles: 60 };
      const first = edited(0);
      const s = compare(shortened, first);
      expect(s.containment).toBeGreaterThan(0.5);
      expect(isNearDuplicateAtScale(shortened, first, s)).toBe(false);
      await store.addReports('wide-0', [report(first)]);
      for (let k = 1; k < 5; k++) await store.addReports(`wide-${k}`, [report(edited(k))]);
      expect((await store.lookup('asking', shortened)).offices).toBe(5);
    }, 30_000);
  });
}
