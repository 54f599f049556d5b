import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { loadRules, parseRules } from '../src/signals/rules/load-rules.js';
import { matchRules } from '../src/signals/rules/match-rules.js';
import { engine, score } from './helpers/engine.js';
import { fixture, hasShared, repoRoot, seedBip, seedEmail } from './helpers/paths.js';

const reasonIds = (r: ReturnType<typeof score>) => r.reasons.map((x) => x.id);
const evidenceOf = (r: ReturnType<typeof score>, id: string) => r.reasons.find((x) => x.id === id)?.evidence ?? [];

describe('rules file', () => {
  it('loads at least 30 rules, each with a Polish description and both traits covered', () => {
    const rules = loadRules();
    expect(rules.rules.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rules.rules.map((r) => r.trait))).toEqual(new Set(['mass_mailing', 'vendor_promotion']));
  });

  it('refuses an invalid file with the path of the bad field', () => {
    const bad = 'version: 1\nbias: -3\nrules:\n  - id: x\n    trait: spam\n    weight: 1\n    description: opis reguły\n    patterns: [a]\n';
    expect(() => parseRules(bad, 'test.yaml')).toThrow(/test\.yaml: rules\.0\.trait/);
  });

  it('refuses a pattern RE2 cannot compile (e.g. look-ahead), naming the rule', () => {
    const bad = 'version: 1\nbias: -3\nrules:\n  - id: x\n    trait: mass_mailing\n    weight: 1\n    description: opis reguły\n    patterns: ["a(?=b)"]\n';
    expect(() => parseRules(bad)).toThrow(/rule x pattern 1/);
  });

  it('refuses upper-case patterns, which could never match folded text', () => {
    const bad = 'version: 1\nbias: -3\nrules:\n  - id: x\n    trait: mass_mailing\n    weight: 1\n    description: opis reguły\n    patterns: ["Dotacja"]\n';
    expect(() => parseRules(bad)).toThrow(/lower case/);
  });

  it('matches with or without diacritics and across inflection', () => {
    const rules = loadRules();
    const a = matchRules(rules, normalise('Oferujemy bezpłatny audyt bezpieczeństwa.')).map((h) => h.id);
    const b = matchRules(rules, normalise('OFERUJEMY BEZPLATNEGO AUDYTU bezpieczenstwa')).map((h) => h.id);
    expect(a).toContain('free_service_offer');
    expect(b).toContain('free_service_offer');
  });
});

describe.skipIf(!hasShared)('the seed petition (G1ANT)', () => {
  it('as received by e-mail is high, with evidence on the link, grant, addressee and contact request', () => {
    const text = seedEmail();
    const r = score(text);
    expect(r.level).toBe('high');
    expect(r.track).toBe('petycje_masowe');
    const all = r.reasons.flatMap((x) => x.evidence);
    for (const ev of all) expect(text.slice(ev.start, ev.end)).toBe(ev.text);
    expect(evidenceOf(r, 'vendor_domain').some((e) => e.text.includes('g1ant.com'))).toBe(true);
    expect(evidenceOf(r, 'grant_amount').some((e) => /50 000 zł/.test(e.text))).toBe(true);
    expect(evidenceOf(r, 'generic_addressee')[0]?.text).toBe('Kierownik Jednostki Samorządu Terytorialnego');
    expect(evidenceOf(r, 'officials_contact_request').length).toBeGreaterThan(0);
  });

  it('as published on a BIP, without link or signature, is high from its other traits', () => {
    const r = score(seedBip());
    expect(r.level).toBe('high');
    const ids = reasonIds(r);
    expect(ids).not.toContain('vendor_domain');
    expect(ids).not.toContain('company_signature');
    for (const id of ['grant_amount', 'generic_addressee', 'numbered_sections', 'free_service_offer', 'calendar_booking']) {
      expect(ids).toContain(id);
    }
  });
});

describe('petitions written for the tests', () => {
  const dir = (d: string) => readdirSync(`${repoRoot}/test/fixtures/${d}`);

  it.each(dir('genuine'))('genuine petition %s stays low', (f) => {
    const r = score(fixture(`genuine/${f}`));
    expect(r.level, JSON.stringify(r.reasons.map((x) => x.id))).toBe('low');
  });

  it.each(dir('vendor'))('vendor petition %s is high', (f) => {
    const r = score(fixture(`vendor/${f}`));
    expect(r.level).toBe('high');
    expect(r.traits.vendor_promotion).toBeGreaterThan(0.5);
  });

  it('every reason carries its description, contribution and exact evidence spans (an absence rule: none to show)', () => {
    const text = fixture('vendor/led-lighting.txt');
    const r = score(text);
    const absent = new Set(engine().rules.rules.filter((x) => x.absent).map((x) => x.id));
    for (const reason of r.reasons) {
      expect(reason.description.length).toBeGreaterThan(5);
      expect(reason.contribution).not.toBe(0);
      if (absent.has(reason.id)) expect(reason.evidence).toEqual([]);
      else expect(reason.evidence.length).toBeGreaterThan(0);
      for (const ev of reason.evidence) expect(text.slice(ev.start, ev.end)).toBe(ev.text);
    }
  });
});

describe('hostile input', () => {
  const hostile: Array<[string, string]> = [
    ['repeated words', 'bezpłatny '.repeat(100_000)],
    ['one endless word', 'a'.repeat(1_000_000)],
    ['near-miss URLs', `https://${'a.'.repeat(300_000)}`],
    ['§ and digits', '§1.1.1.1.'.repeat(110_000)],
    ['slashes', 'wniosek/'.repeat(125_000)],
    ['spaces and newlines', ' \n'.repeat(500_000)],
  ];
  it.each(hostile)('a 1 MB text of %s scores (RE2 runs in linear time)', (_, text) => {
    const r = score(text);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
    for (const reason of r.reasons) expect(reason.evidence.length).toBeLessThanOrEqual(12);
  });
});
