/**
 * How the near-duplicate fingerprints group a labelled corpus (default ../shared/corpus/real-dev.jsonl):
 * the clusters formed, their purity (share of members of the cluster's majority family) and how
 * many clusters each family is split into.
 *   npm run measure:campaigns [-- path/to/corpus.jsonl]
 */
import { normalise } from '../src/normalise/normalise.js';
import { clusterPetitions } from '../src/signals/campaign/cluster.js';
import { fingerprint, MIN_SHINGLES } from '../src/signals/fingerprint/minhash.js';
import { readCorpus, table } from './lib/corpus.js';

const docs = readCorpus(process.argv[2]);
const items = docs.map((d) => ({ fingerprint: fingerprint(normalise(d.text).folded), text: d.id, family: d.family, label: d.label, sender: null, receivedAt: null }));
const short = items.filter((i) => i.fingerprint.shingles < MIN_SHINGLES).length;
const clusters = clusterPetitions(items);

let pure = 0;
let labelPure = 0;
const familyClusters = new Map<string, Set<number>>();
clusters.forEach((c, i) => {
  const counts = new Map<string, number>();
  for (const m of c.members) {
    counts.set(m.family!, (counts.get(m.family!) ?? 0) + 1);
    const s = familyClusters.get(m.family!) ?? new Set<number>();
    s.add(i);
    familyClusters.set(m.family!, s);
  }
  pure += Math.max(...counts.values());
  const mass = c.members.filter((m) => m.label === 'mass').length;
  labelPure += Math.max(mass, c.members.length - mass);
});
const multi = clusters.filter((c) => c.members.length > 1);
console.log(`corpus: ${docs.length} petitions in ${familyClusters.size} families; ${short} too short to fingerprint (< ${MIN_SHINGLES} shingles)`);
console.log(`clusters: ${clusters.length} (${multi.length} with more than one petition); family purity ${(pure / docs.length).toFixed(3)}, label purity ${(labelPure / docs.length).toFixed(3)}\n`);
console.log(
  table(
    ['cluster (2+ members)', 'size', 'families (members)'],
    multi.map((c) => {
      const counts = new Map<string, number>();
      for (const m of c.members) counts.set(m.family!, (counts.get(m.family!) ?? 0) + 1);
      return [c.id.replace(/^known-/, ''), c.members.length, [...counts].map(([f, n]) => `${f} (${n})`).join(', ')];
    }),
  ),
);
console.log('');
console.log(table(['family', 'petitions', 'clusters'], [...familyClusters].sort().map(([f, s]) => [f, docs.filter((d) => d.family === f).length, s.size])));
