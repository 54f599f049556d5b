import { compare, isContained, isNearDuplicateAtScale, signatureFromBuffer, type Fingerprint } from '../signals/fingerprint/minhash.js';

/**
 * How reports are grouped, whatever the store: a report joins the cluster ("text") of its most
 * similar verified near-duplicate among the LSH candidates, or starts a new one. Only the first
 * INDEXED_PER_CLUSTER members of a cluster are LSH-indexed — later copies of a campaign would
 * only repeat the same band keys, and a campaign at 2 500 offices would make every look-up verify
 * thousands of candidates.
 */
export const INDEXED_PER_CLUSTER = 20;
/**
 * Of each candidate text (cluster) this many members are verified: the members sharing the most
 * bands. A text counts when one member is a near-duplicate, or when two are found to contain the
 * look-up's text (a shortened copy: verifiedClusters)…
 */
export const PER_CLUSTER = 3;
/** …and this many members in all. */
export const CANDIDATES = 32;
/**
 * The index holds each band key once per cluster (the union of its first members' keys), so a
 * copy of a campaign reads at most one row per band for that campaign.
 * A band key that this many clusters share becomes a stop key: its rows are removed and it is
 * never indexed again. Such keys come from phrases every petition uses ("wnoszę o", "na podstawie
 * art."), tell nothing, and made look-ups read ~1 000 rows each (measured at 100 000 generated
 * reports with keys capped at 64 rows: 1 035 keys at the cap, 6 ms a look-up on a loaded machine),
 * as spam filters' fuzzy hashes ignore common shingles.
 */
export const MAX_PER_KEY = 32;

/**
 * A report is first looked for by its first FIRST_BANDS band keys alone. Most reports are copies
 * of a campaign whose cluster is full (its first INDEXED_PER_CLUSTER members are indexed, so a
 * copy adds no band key); a copy shares a band with one of those members in the first bands as
 * good as always (a pair at Jaccard 0.5 misses all 24 bands with probability 0.875²⁴ ≈ 4 %, and a
 * full cluster holds 20 members' keys). When those keys find a verified near-duplicate in a full
 * cluster, the report joins it and its other band keys are never read; otherwise (a new text, a
 * campaign's first copies, a copy found only by later bands) every key is read, as before. So a
 * copy may join a full cluster that the later bands would have ranked second: a look-up counts
 * every matching cluster, so the answer is the same.
 */
export const FIRST_BANDS = 24;

/** Clusters known to be full (their size only grows, so this stays true whatever other processes write). */
export class FullClusters {
  private readonly ids = new Set<number>();
  constructor(private readonly max = 1_000_000) {}
  has(id: number) {
    return this.ids.has(id);
  }
  add(id: number) {
    if (this.ids.size >= this.max) this.ids.clear();
    this.ids.add(id);
  }
  clear() {
    this.ids.clear();
  }
}

/**
 * The LSH rows of full clusters that this process has read, by band key. A full cluster's rows
 * never change (only its first INDEXED_PER_CLUSTER members bring keys), save that a key which
 * becomes a stop key loses its rows in the index; a row kept here for such a key can only make a
 * cluster a candidate, and a candidate joins only if its signature verifies. So a copy of a
 * campaign this process has met is found without reading the index. Bounded: cleared when full
 * (500 000 rows, some tens of MB: estimated, not measured; a full cluster holds at most
 * 20 × 85 = 1 700 keys).
 */
export class FullClusterRows {
  /** key → [cluster, report, cluster, report, …] */
  private readonly byKey = new Map<number, number[]>();
  private count = 0;
  constructor(private readonly max = 500_000) {}
  get size() {
    return this.count;
  }
  add(key: number, cluster: number, report: number) {
    let list = this.byKey.get(key);
    if (list) for (let i = 0; i < list.length; i += 2) if (list[i] === cluster) return;
    if (this.count >= this.max) {
      this.clear();
      list = undefined;
    }
    if (list) list.push(cluster, report);
    else this.byKey.set(key, [cluster, report]);
    this.count++;
  }
  /** The rows of these keys, as parallel arrays. */
  rows(keys: readonly number[]): { clusters: number[]; reports: number[] } {
    const clusters: number[] = [];
    const reports: number[] = [];
    if (!this.count) return { clusters, reports };
    for (const k of keys) {
      const list = this.byKey.get(k);
      if (list) for (let i = 0; i < list.length; i += 2) clusters.push(list[i]!), reports.push(list[i + 1]!);
    }
    return { clusters, reports };
  }
  clear() {
    this.byKey.clear();
    this.count = 0;
  }
}

/**
 * The reports to verify a signature against, from the raw LSH rows of its band keys (cluster,
 * report per matching row). Texts (clusters) are taken in turn from two orders: by the most bands
 * one member shares (a copy shares many with the member it was edited from), and by the bands all
 * their members share (an excerpt shares a band or two with each of several copies of its
 * campaign, and the index lists a band key under one member of a text only); ties go to the
 * oldest report. Of each text the PER_CLUSTER members sharing most, at most CANDIDATES in all.
 * One order alone lost a kind: ranking reports alone let the many texts sharing one common band
 * with a short excerpt crowd out its campaign's second and third copies; ranking by one member's
 * bands let texts sharing two bands with one member crowd out a campaign sharing five, one with
 * each copy (in the bench at 300 000 reports, 33 of the 42 missed excerpts whose campaign could be
 * told had it among the index's rows but not among the texts verified). Counted in the process:
 * the same choice made in SQL (GROUP BY, a window, a join) was a third of the clearinghouse's CPU
 * time on SQLite, and on PostgreSQL half of a batch's database time.
 */
export function rankCandidates(clusters: ArrayLike<number>, reports: ArrayLike<number>): number[] {
  const hits = new Map<number, { report: number; cluster: number; hits: number }>();
  for (let i = 0; i < reports.length; i++) {
    const h = hits.get(reports[i]!);
    if (h) h.hits++;
    else hits.set(reports[i]!, { report: reports[i]!, cluster: clusters[i]!, hits: 1 });
  }
  type Text = { best: number; total: number; first: number; taken: boolean; members: Array<{ report: number; hits: number }> };
  const byCluster = new Map<number, Text>();
  for (const h of hits.values()) {
    const c = byCluster.get(h.cluster);
    if (!c) byCluster.set(h.cluster, { best: h.hits, total: h.hits, first: h.report, taken: false, members: [h] });
    else {
      c.best = Math.max(c.best, h.hits);
      c.total += h.hits;
      c.first = Math.min(c.first, h.report);
      c.members.push(h);
    }
  }
  const texts = [...byCluster.values()];
  const byBest = [...texts].sort((a, b) => b.best - a.best || b.total - a.total || a.first - b.first);
  const byTotal = texts.sort((a, b) => b.total - a.total || b.best - a.best || a.first - b.first);
  // both orders hold every text, so while some text is untaken each order has one
  const orders = [byBest, byTotal];
  const next = [0, 0];
  const out: number[] = [];
  for (let taken = 0; taken < texts.length && out.length < CANDIDATES; taken++) {
    const o = taken % 2;
    let k = next[o]!;
    while (orders[o]![k]!.taken) k++;
    next[o] = k + 1;
    const c = orders[o]![k]!;
    c.taken = true;
    if (c.members.length > 1) c.members.sort((a, b) => b.hits - a.hits || a.report - b.report);
    for (let m = 0; m < c.members.length && m < PER_CLUSTER && out.length < CANDIDATES; m++) out.push(c.members[m]!.report);
  }
  return out;
}

/**
 * Indexed members' signatures, kept in the process: a report's signature and cluster never
 * change once stored, so the cache is right whatever other processes write. A campaign's first
 * members are read by every later copy; residents' petitions are read rarely and fall out.
 */
export class MemberCache {
  private readonly map = new Map<number, ClusterCandidate>();
  constructor(private readonly max = 100_000) {}
  get(report: number): ClusterCandidate | undefined {
    const m = this.map.get(report);
    if (m) {
      // most recently used last
      this.map.delete(report);
      this.map.set(report, m);
    }
    return m;
  }
  clear() {
    this.map.clear();
  }
  set(report: number, m: ClusterCandidate) {
    this.map.set(report, m);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  /** A member read from the store (its signature as stored), from the cache or decoded and kept. */
  fromRow(report: number, cluster: number, signature: Uint8Array, shingles: number): ClusterCandidate {
    let m = this.get(report);
    if (!m) this.set(report, (m = { cluster, report, signature: signatureFromBuffer(signature), shingles }));
    return m;
  }
}

export interface ClusterCandidate {
  cluster: number;
  /** The stored report (absent for a report of the batch being stored). */
  report?: number;
  signature: Uint32Array;
  shingles: number;
}

/**
 * The clusters whose candidates verify as near-duplicates, most similar first. The clearinghouse
 * compares each report with candidates from a store of a million, so a short text's noisier
 * estimate must clear a higher bar (isNearDuplicateAtScale). A cluster also verifies when two of
 * its members each contain the text by the weaker bar of isContained: an office's published
 * excerpt of a campaign is contained in every office's copy, though each copy's own edits may
 * hold it under 0.7 in any one. Two copies of one text are asked, not one text: a resident's
 * petition is a text of its own, so the weaker bar never lets one other petition match it. Such
 * clusters come after the near-duplicates.
 */
export function verifiedClusters(fp: Fingerprint, candidates: readonly ClusterCandidate[]): number[] {
  return verifyCandidates(fp, candidates).clusters;
}

/**
 * Of a cluster with one member that contains the look-up's text (and none found to be a
 * near-duplicate), this many more indexed members are read and verified (moreMembersWanted,
 * newMembers). The LSH index holds each band key once per cluster, from the first member that
 * brought it, so an excerpt's band keys lead to that one member and seldom to a second: the
 * campaign's other copies share those keys but are not listed under them.
 */
export const MORE_MEMBERS = 3;
/** At most this many such clusters a look-up, the most similar first. */
export const MORE_MEMBERS_CLUSTERS = 2;

/**
 * verifiedClusters, and the texts of which one member contains the look-up's text while no member
 * is a near-duplicate and no second member was a candidate (containedOnce, the most similar
 * first): reading more of their members (moreMembersWanted) and verifying them with the rest
 * decides them.
 */
export function verifyCandidates(fp: Fingerprint, candidates: readonly ClusterCandidate[]): { clusters: number[]; containedOnce: number[] } {
  const best = new Map<number, number>();
  const weak = new Map<number, { n: number; similarity: number }>();
  for (const c of candidates) {
    const other = { signature: c.signature, shingles: c.shingles };
    const s = compare(fp, other);
    if (!isNearDuplicateAtScale(fp, other, s)) {
      if (isContained(fp, other, s)) {
        const w = weak.get(c.cluster) ?? { n: 0, similarity: 0 };
        w.n++;
        w.similarity = Math.max(w.similarity, s.similarity);
        weak.set(c.cluster, w);
      }
      continue;
    }
    if ((best.get(c.cluster) ?? -1) < s.similarity) best.set(c.cluster, s.similarity);
  }
  const order = (m: Iterable<[number, number]>) => [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([cluster]) => cluster);
  const contained = (n: (k: number) => boolean) => [...weak].flatMap(([cluster, w]): Array<[number, number]> => (n(w.n) && !best.has(cluster) ? [[cluster, w.similarity]] : []));
  // near-duplicates first: a report joins the cluster of one of them before a text it is only contained in
  return { clusters: [...order(best), ...order(contained((n) => n >= 2))], containedOnce: order(contained((n) => n === 1)).slice(0, MORE_MEMBERS_CLUSTERS) };
}

/** A text whose first `limit` indexed members (by report) are to be read; those in `known` were verified already. */
export interface MoreMembers {
  cluster: number;
  limit: number;
  known: Set<number>;
}

/**
 * The candidates verified (verifyCandidates), and the texts whose members to read next: those a
 * member alone contains the text of. A look-up counts every matching text, so it asks whatever
 * else matched; a report being stored joins the first, so it asks only when no text verified.
 */
export function moreMembersWanted(fp: Fingerprint, candidates: readonly ClusterCandidate[], purpose: 'lookup' | 'insert'): { clusters: number[]; wanted: MoreMembers[] } {
  const { clusters, containedOnce } = verifyCandidates(fp, candidates);
  if (purpose === 'insert' && clusters.length) return { clusters, wanted: [] };
  const wanted = containedOnce.map((cluster) => {
    const known = new Set(candidates.flatMap((c) => (c.cluster === cluster && c.report !== undefined ? [c.report] : [])));
    // the members already verified are read again and skipped, so MORE_MEMBERS of them are new
    return { cluster, limit: MORE_MEMBERS + known.size, known };
  });
  return { clusters, wanted };
}

/** Of the members read for `wanted` (in report order), those not verified yet: MORE_MEMBERS of each text. */
export function newMembers(wanted: readonly MoreMembers[], read: readonly ClusterCandidate[]): ClusterCandidate[] {
  return wanted.flatMap((w) => read.filter((m) => m.cluster === w.cluster && !w.known.has(m.report!)).slice(0, MORE_MEMBERS));
}
