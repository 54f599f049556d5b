/**
 * The formal check (art. 4 ust. 2–5) over a JSON-lines corpus ({"id", "label", "text"}): how often
 * each element is found, by label, and the suggested steps. Descriptive (the corpus carries no
 * formal labels); `--show` prints each petition's findings for reading by eye.
 *   npm run measure:formal -- ../shared/corpus/real-dev.jsonl [--show]
 */
import { readFileSync } from 'node:fs';
import { checkFormal, type FormalKey } from '../src/track/formal.js';
import { table } from './lib/corpus.js';

const file = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (!file) throw new Error('usage: measure-formal FILE.jsonl [--show]');
const show = process.argv.includes('--show');
const docs = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { id: string; label?: string; text: string });
const keys: FormalKey[] = ['submitter', 'address', 'addressee', 'subject', 'email', 'consent_to_publish'];
const by = new Map<string, { n: number; found: Record<string, number>; steps: Record<string, number> }>();
for (const d of docs) {
  const c = checkFormal({ text: d.text });
  const g = by.get(d.label ?? 'all') ?? { n: 0, found: {}, steps: {} };
  g.n++;
  for (const k of keys) g.found[k] = (g.found[k] ?? 0) + Number(c.elements[k].found);
  g.steps[c.step] = (g.steps[c.step] ?? 0) + 1;
  by.set(d.label ?? 'all', g);
  if (show) console.log(`${d.id}\t${c.step}\t${keys.map((k) => `${k}=${c.elements[k].found ? JSON.stringify(c.elements[k].evidence.map((e) => e.text.slice(0, 50))) : '—'}`).join(' ')}`);
}
console.log(`\nFormal check over ${docs.length} petitions of ${file}: share with each element found`);
console.log(table(['label', 'n', ...keys, 'consider', 'call', 'leave'], [...by].map(([label, g]) => [label, g.n, ...keys.map((k) => `${Math.round((100 * (g.found[k] ?? 0)) / g.n)}%`), g.steps.consider ?? 0, g.steps.call_to_complete ?? 0, g.steps.leave_unconsidered ?? 0])));
