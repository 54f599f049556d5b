import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine.js';
import { normalise } from '../../src/normalise/normalise.js';
import { bestMatch } from '../../src/signals/campaign/template-signal.js';
import { bandKeys, compare, fingerprint, isNearDuplicate, type Fingerprint } from '../../src/signals/fingerprint/minhash.js';
import { parseRules } from '../../src/signals/rules/load-rules.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { table } from './corpus.js';
import { EDITS, makeLocal, makeTemplate, makeVariant, rng, type Edit } from './generate-petitions.js';

interface Doc {
  id: string;
  text: string;
  template: number | null;
  edits: Set<Edit>;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function generate(n: number, seed: number): { docs: Doc[]; templates: string[][] } {
  const r = rng(seed);
  const templates = Array.from({ length: Math.max(1, Math.round(n / 100)) }, () => makeTemplate(r));
  const docs: Doc[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.4) {
      docs.push({ id: `u${i}`, text: makeLocal(r), template: null, edits: new Set() });
    } else {
      const t = Math.floor(r() * templates.length);
      const edits = new Set(EDITS.filter(() => r() < 0.35));
      docs.push({ id: `t${t}-${i}`, text: makeVariant(r, templates[t]!, edits, t), template: t, edits });
    }
  }
  return { docs, templates };
}

/**
 * Stores N generated petitions through the real pipeline (normalise → fingerprint → LSH look-up →
 * campaign → SQLite), rules aside, and measures near-duplicate detection against the generator's
 * truth; then times look-ups at N stored, by LSH and by brute-force scan.
 */
export async function benchFingerprints(n: number) {
  const seed = 20261122;
  const { docs, templates } = generate(n, seed);
  const dir = mkdtempSync(join(tmpdir(), 'sito-fp-'));
  const store = SqliteStore.open(dir);
  const rules = parseRules('version: 1\nbias: 0\nrules:\n  - {id: none, trait: mass_mailing, weight: 0, description: brak reguł, patterns: ["zzqqzzqq"]}\n');
  const engine = new Engine({ rules, thresholds: { high: 0.8, review: 0.35 }, store });

  const templateOfPetition = new Map<string, number | null>();
  const templateOfCampaign = new Map<string, number | null>();
  const seenTemplate = new Set<number>();
  let expected = 0, predicted = 0, truePos = 0;
  const perEdit = new Map<Edit, { n: number; hit: number }>(EDITS.map((e) => [e, { n: 0, hit: 0 }]));
  const start = process.hrtime.bigint();
  for (const d of docs) {
    const res = await engine.score({ id: d.id, text: d.text, store: true });
    templateOfPetition.set(d.id, d.template);
    const reason = res.reasons.find((x) => x.signal === 'template');
    let matched: number | null | undefined;
    if (res.campaign && !templateOfCampaign.has(res.campaign.id)) {
      // a campaign is created around the petition matched: its template is that petition's
      const rep = store.sync.campaign(res.campaign.id)?.representative_petition;
      templateOfCampaign.set(res.campaign.id, rep ? (templateOfPetition.get(rep) ?? null) : null);
    }
    if (reason) {
      predicted++;
      const nb = reason.neighbour!;
      matched = templateOfCampaign.has(nb) ? templateOfCampaign.get(nb) : templateOfPetition.get(nb.replace(/^petition:/, ''));
    }
    const shouldMatch = d.template !== null && seenTemplate.has(d.template);
    if (shouldMatch) {
      expected++;
      const ok = reason !== undefined && matched === d.template;
      if (ok) truePos++;
      for (const e of d.edits) {
        const s = perEdit.get(e)!;
        s.n++;
        if (ok) s.hit++;
      }
    }
    if (d.template !== null) seenTemplate.add(d.template);
  }
  const insertSeconds = Number(process.hrtime.bigint() - start) / 1e9;

  // Look-ups at N stored: fresh variants of random templates and fresh unrelated petitions.
  const r = rng(seed + 1);
  const queries: Array<{ fp: Fingerprint; template: number | null }> = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 2) queries.push({ fp: fingerprint(normalise(makeLocal(r)).folded), template: null });
    else {
      const t = Math.floor(r() * templates.length);
      const edits = new Set(EDITS.filter(() => r() < 0.35));
      queries.push({ fp: fingerprint(normalise(makeVariant(r, templates[t]!, edits, t)).folded), template: t });
    }
  }
  const lshTimes: number[] = [];
  let lshHit = 0, lshWrong = 0;
  for (const q of queries) {
    const t0 = process.hrtime.bigint();
    const m = bestMatch(q.fp, store.sync.candidates(bandKeys(q.fp.signature), 32));
    lshTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (m) {
      const t = m.candidate.kind === 'petition' ? templateOfPetition.get(m.candidate.id) : templateOfCampaign.get(m.candidate.id);
      if (t === q.template && q.template !== null) lshHit++;
      else lshWrong++;
    }
  }
  // Brute force over every stored signature, in memory.
  const all = store.sync.allFingerprints();
  const bruteTimes: number[] = [];
  let bruteHit = 0, bruteWrong = 0;
  for (const q of queries.slice(0, 200)) {
    const t0 = process.hrtime.bigint();
    let best: { id: string; s: number } | null = null;
    for (const p of all) {
      const s = compare(q.fp, p.fingerprint);
      if (isNearDuplicate(q.fp, p.fingerprint, s) && (!best || s.similarity > best.s)) best = { id: p.id, s: s.similarity };
    }
    bruteTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (best) {
      if (templateOfPetition.get(best.id) === q.template && q.template !== null) bruteHit++;
      else bruteWrong++;
    }
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const variants = queries.filter((q) => q.template !== null).length;
  console.log(`\nNear-duplicate detection: ${n} generated petitions (${templates.length} templates, ${docs.filter((d) => d.template === null).length} unrelated), stored through the pipeline in ${insertSeconds.toFixed(1)} s (${Math.round(n / insertSeconds)}/s)`);
  console.log(`while storing: recall ${(truePos / expected).toFixed(4)} (${truePos}/${expected}), precision ${(truePos / predicted).toFixed(4)} (${truePos}/${predicted})`);
  console.log(table(['edit (variants carrying it)', 'n', 'recall'], EDITS.map((e) => [e, perEdit.get(e)!.n, (perEdit.get(e)!.hit / Math.max(1, perEdit.get(e)!.n)).toFixed(4)])));
  console.log(`\nLook-ups with ${n} stored (500 template variants + 500 unrelated):`);
  console.log(
    table(
      ['method', 'queries', 'p50 ms', 'p99 ms', 'recall', 'false matches'],
      [
        ['LSH (85×3 bands) + verify', queries.length, quantile(lshTimes, 0.5).toFixed(3), quantile(lshTimes, 0.99).toFixed(3), (lshHit / variants).toFixed(4), lshWrong],
        ['brute-force scan, in memory', 200, quantile(bruteTimes, 0.5).toFixed(3), quantile(bruteTimes, 0.99).toFixed(3), (bruteHit / 100).toFixed(4), bruteWrong],
      ],
    ),
  );
}
