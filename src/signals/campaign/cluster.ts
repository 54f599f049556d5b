import { createHash } from 'node:crypto';
import { compare, isNearDuplicate, signatureToBuffer, type Fingerprint } from '../fingerprint/minhash.js';

export interface ClusterInput {
  fingerprint: Fingerprint;
  text: string;
  family: string | null;
  label: 'mass' | 'regular' | null;
  sender: string | null;
  receivedAt: string | null;
}

export interface Cluster {
  id: string;
  members: ClusterInput[];
  representative: ClusterInput;
  family: string | null;
  label: 'mass' | 'regular' | null;
  sender: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
}

function mostCommon<T>(values: readonly T[]): T | null {
  const counts = new Map<T, number>();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | null = null;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

/**
 * Greedy single-pass clustering of petitions into near-duplicate groups: each petition joins the
 * first cluster whose representative it near-duplicates, or starts one. Meant for imports (a few
 * thousand petitions); the live service uses the LSH index instead.
 */
export function clusterPetitions(items: readonly ClusterInput[]): Cluster[] {
  const groups: Array<{ rep: ClusterInput; members: ClusterInput[] }> = [];
  for (const item of items) {
    const home = groups.find((g) => isNearDuplicate(item.fingerprint, g.rep.fingerprint, compare(item.fingerprint, g.rep.fingerprint)));
    if (home) home.members.push(item);
    else groups.push({ rep: item, members: [item] });
  }
  return groups.map(({ rep, members }) => {
    const family = mostCommon(members.map((m) => m.family));
    const digest = createHash('sha256').update(signatureToBuffer(rep.fingerprint.signature)).digest('hex').slice(0, 10);
    const dates = members.map((m) => m.receivedAt).filter((d): d is string => d !== null).sort();
    return {
      id: `known-${(family ?? 'campaign').replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}-${digest}`,
      members,
      representative: rep,
      family,
      label: mostCommon(members.map((m) => m.label)),
      sender: mostCommon(members.map((m) => m.sender)),
      firstSeen: dates[0] ?? null,
      lastSeen: dates[dates.length - 1] ?? null,
    };
  });
}
