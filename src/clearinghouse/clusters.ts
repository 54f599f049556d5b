import { compare, isNearDuplicate, type Fingerprint } from '../signals/fingerprint/minhash.js';

/**
 * How reports are grouped, whatever the store: a report joins the cluster ("text") of its most
 * similar verified near-duplicate among the LSH candidates, or starts a new one. Only the first
 * INDEXED_PER_CLUSTER members of a cluster are LSH-indexed — later copies of a campaign would
 * only repeat the same band keys, and a campaign at 2 500 offices would make every look-up verify
 * thousands of candidates.
 */
export const INDEXED_PER_CLUSTER = 20;
/** LSH candidates verified per report or look-up, most shared bands first. */
export const CANDIDATES = 48;

export interface ClusterCandidate {
  cluster: number;
  signature: Uint32Array;
  shingles: number;
}

/** The clusters whose candidates verify as near-duplicates, most similar first. */
export function verifiedClusters(fp: Fingerprint, candidates: readonly ClusterCandidate[]): number[] {
  const best = new Map<number, number>();
  for (const c of candidates) {
    const other = { signature: c.signature, shingles: c.shingles };
    const s = compare(fp, other);
    if (!isNearDuplicate(fp, other, s)) continue;
    if ((best.get(c.cluster) ?? -1) < s.similarity) best.set(c.cluster, s.similarity);
  }
  return [...best.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([cluster]) => cluster);
}
