/**
 * Measures the verdicts on a labelled corpus (default ../shared/corpus/real-dev.jsonl):
 * recall of `mass` at level high, share of `regular` flagged high, and the same per family.
 *   npm run measure:corpus [-- path/to/corpus.jsonl]
 */
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/engine.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { pct, readCorpus, table } from './lib/corpus.js';

const docs = readCorpus(process.argv[2]);
const config = loadConfig();
const engine = new Engine({ rules: loadRules(config.rulesFile), thresholds: config.thresholds });

const families = new Map<string, { label: string; n: number; high: number; review: number }>();
let mass = 0, massHigh = 0, regular = 0, regularHigh = 0, regularReview = 0;
for (const d of docs) {
  const r = engine.score({ text: d.text, store: false });
  const f = families.get(d.family) ?? { label: d.label, n: 0, high: 0, review: 0 };
  f.n++;
  if (r.level === 'high') f.high++;
  if (r.level === 'review') f.review++;
  families.set(d.family, f);
  if (d.label === 'mass') {
    mass++;
    if (r.level === 'high') massHigh++;
  } else {
    regular++;
    if (r.level === 'high') regularHigh++;
    if (r.level === 'review') regularReview++;
  }
}

console.log(`corpus: ${docs.length} petitions (${mass} mass, ${regular} regular); model ${engine.modelVersion}; thresholds high ${config.thresholds.high}, review ${config.thresholds.review}\n`);
console.log(table(['family', 'label', 'n', 'high', 'review', 'low'], [...families.entries()].sort().map(([name, f]) => [name, f.label, f.n, f.high, f.review, f.n - f.high - f.review])));
console.log(`\nrecall of mass (level high):      ${massHigh}/${mass} = ${pct(massHigh, mass)}`);
console.log(`regular flagged high:             ${regularHigh}/${regular} = ${pct(regularHigh, regular)}`);
console.log(`regular sent to review:           ${regularReview}/${regular} = ${pct(regularReview, regular)}`);
