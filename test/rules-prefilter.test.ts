import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { buildLiteralIndex, candidateStarts } from '../src/signals/rules/candidate-starts.js';
import { innerLiterals, leadingLiterals } from '../src/signals/rules/leading-literals.js';
import { compileRules, loadRules, type RuleSet } from '../src/signals/rules/load-rules.js';
import { loadOfficeProfile } from '../src/signals/rules/office-profile.js';
import { matchRules } from '../src/signals/rules/match-rules.js';
import { RuleFileSchema } from '../src/signals/rules/schema.js';
import { hasShared, repoRoot, seedBip, seedEmail } from './helpers/paths.js';

/** The same rules with no literal looked for: every rule searches the whole text, as before. */
const searchingOnly = (rules: RuleSet): RuleSet => ({ ...rules, literalIndex: buildLiteralIndex(rules.rules.map(() => null)) });

const plainOf = new WeakMap<RuleSet, RuleSet>();

/**
 * The hits searching gives with every match read by `exec`, checked against searching with matches
 * read by the cheaper calls, and against the literals first, by itself and each way forced, with
 * either reading.
 */
function sameEveryWay(set: RuleSet, text: string) {
  let plain = plainOf.get(set);
  if (!plain) plainOf.set(set, (plain = searchingOnly(set)));
  const n = normalise(text);
  const want = matchRules(plain, n, undefined, 'exact');
  expect(matchRules(plain, n)).toEqual(want);
  expect(matchRules(set, n)).toEqual(want);
  expect(matchRules(set, n, 'from-offsets')).toEqual(want);
  expect(matchRules(set, n, 'at-offsets')).toEqual(want);
  expect(matchRules(set, n, 'from-offsets', 'exact')).toEqual(want);
  expect(matchRules(set, n, 'at-offsets', 'exact')).toEqual(want);
  return want;
}

/** Every offset where RE2 finds a match beginning, trying from each offset in turn. */
function matchStarts(source: string, text: Buffer): number[] {
  const re = new RE2(source, 'g');
  const starts = new Set<number>();
  for (let from = 0; from <= text.length; from++) {
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) break;
    starts.add(m.index);
  }
  return [...starts];
}

/** Random patterns of groups, classes, repetition, boundaries and anchors (the atoms the tests know). */
const randomPattern = (): fc.Arbitrary<string> => {
  const atom: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', 'ab', 'abc', 'ca', ' ', '1', '[ab]', '[a-c]', '[^a]', '\\d', '\\s', '\\w', '\\b', '\\B', '^', '$', '.');
  return fc.letrec<{ re: string; seq: string; piece: string }>((tie) => ({
    re: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|')),
    seq: fc.array(tie('piece'), { minLength: 1, maxLength: 5 }).map((p) => p.join('')),
    piece: fc.oneof(
      { weight: 4, arbitrary: atom },
      { weight: 1, arbitrary: fc.tuple(tie('re'), fc.constantFrom('', '?', '*', '+', '{0,2}', '{1,3}', '{2}', '??')).map(([r, q]) => `(?:${r})${q}`) },
    ),
  })).re;
};

describe('the literals a rule\'s matches begin with', () => {
  it('are read off the pattern where it says them, and withheld where it does not', () => {
    expect(leadingLiterals('(?:dotacj|grant)\\w* (?:\\w+ ){0,5}do')).toEqual(['grant', 'dotacj']);
    expect(leadingLiterals('\\bnasz\\w*')).toEqual(['nasz']);
    // an optional beginning: with it or without it
    expect(leadingLiterals('\\b(?:wszystkich )?polakow\\b')).toEqual(['polakow', 'wszystki']);
    // RE2's \d and \s, spelt out
    const nip = leadingLiterals('nip:? ?\\d')!;
    expect(nip).toHaveLength(40);
    expect(nip.every((l) => /^nip:? ?\d$/.test(l))).toBe(true);
    expect(leadingLiterals('o \\d{1,3}')).toHaveLength(10);
    // could begin anywhere
    expect(leadingLiterals('\\w+ gmin')).toBeNull();
    expect(leadingLiterals('(?:ab)?\\w')).toBeNull();
    expect(leadingLiterals('[a-z]{2,}@')).toBeNull();
    expect(leadingLiterals('x|.')).toBeNull();
    // escapes and classes that ECMAScript reads as letters but RE2 does not: nothing is claimed
    expect(leadingLiterals('\\Afoo')).toBeNull();
    expect(leadingLiterals('\\pLfoo')).toBeNull();
    expect(leadingLiterals('[[:alpha:]]foo')).toBeNull();
    expect(leadingLiterals('(?i)foo')).toBeNull();
    expect(leadingLiterals('(?P<x>foo)')).toBeNull();
  });

  it('begin every match RE2 finds, for any pattern of groups, classes, repetition and boundaries', () => {
    const pattern = randomPattern();
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '1', '\n'), maxLength: 40 });
    let checked = 0;
    fc.assert(
      fc.property(pattern, text, (source, t) => {
        const literals = leadingLiterals(source);
        if (!literals) return;
        checked++;
        const bytes = Buffer.from(t, 'latin1');
        for (const at of matchStarts(source, bytes)) {
          const rest = t.slice(at);
          expect(literals.some((l) => rest.startsWith(l)), `${source} matched at ${at} of ${JSON.stringify(t)}, literals ${JSON.stringify(literals)}`).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
    expect(checked).toBeGreaterThan(500);
  });
});

describe('the literals a rule\'s matches contain, near their start', () => {
  it('are read off the pattern past a beginning of bounded length, and withheld where it is not bounded', () => {
    // an address or a link before the domain: at most 8 + 4 + 65 bytes before it
    expect(innerLiterals('(?:https?:\\/\\/)?(?:www\\.)?(?:[a-z0-9._%+-]{1,64}@)?(?:domena\\.pl|sklep\\.com)\\b', 3)).toEqual({ literals: ['domena.p', 'sklep.co'], lead: { fixed: 77, perRun: 0 } });
    expect(innerLiterals('\\b\\d{2,5} podpis\\w*', 3)).toEqual({ literals: [' podpis'], lead: { fixed: 5, perRun: 0 } });
    expect(innerLiterals('(?:^|\\n)\\W{0,3}petycj\\w*', 3)).toEqual({ literals: ['petycj'], lead: { fixed: 4, perRun: 0 } });
    // a run of word characters before: as long as the text's longest one
    expect(innerLiterals('\\w+ gmin', 3)).toEqual({ literals: [' gmin'], lead: { fixed: 0, perRun: 1 } });
    // every alternative says its own; the lead is the longest
    expect(innerLiterals('\\d+ zl|\\b[a-z]{1,3} dotacj', 3)).toEqual({ literals: [' zl', ' dotacj'], lead: { fixed: 3, perRun: 1 } });
    // unbounded before the literal, a literal too short, or an alternative without one
    expect(innerLiterals('.*abc', 3)).toBeNull();
    expect(innerLiterals('[a-z]{2,}@', 3)).toBeNull();
    expect(innerLiterals('\\w+ gmin|\\d+', 3)).toBeNull();
  });

  it('occur in every match RE2 finds, within the lead of its start, for any pattern', () => {
    // texts made of the pattern's own inner literals and the atoms' characters, so that matches occur
    const patternAndText = randomPattern().chain((source) => {
      const inner = innerLiterals(source, 2);
      const pieces = [...(inner?.literals ?? []), 'a', 'b', 'c', ' ', '1', '\n'];
      return fc.tuple(fc.constant(source), fc.array(fc.constantFrom(...pieces), { maxLength: 16 }).map((p) => p.join('')));
    });
    let checked = 0;
    let matched = 0;
    fc.assert(
      fc.property(patternAndText, ([source, t]) => {
        const inner = innerLiterals(source, 2);
        if (!inner) return;
        checked++;
        const bytes = Buffer.from(t, 'latin1');
        let longestRun = 0;
        for (const run of t.match(/\w+/g) ?? []) longestRun = Math.max(longestRun, run.length);
        const lead = inner.lead.fixed + inner.lead.perRun * longestRun;
        for (const at of matchStarts(source, bytes)) {
          matched++;
          const found = inner.literals.some((l) => {
            const k = t.indexOf(l, at);
            return k >= 0 && k - at <= lead;
          });
          expect(found, `${source} matched at ${at} of ${JSON.stringify(t)}, literals ${JSON.stringify(inner.literals)} within ${lead}`).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
    expect(checked).toBeGreaterThan(500);
    expect(matched).toBeGreaterThan(500);
  });
});

describe('matches read without exec', () => {
  it('begin and end where exec says, for any pattern, wherever a search starts, with exclusions and a forbidden character before', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '1', '\n'), maxLength: 60 });
    let fired = 0;
    fc.assert(
      fc.property(randomPattern(), fc.option(randomPattern(), { nil: undefined }), fc.boolean(), fc.array(text, { minLength: 6, maxLength: 6 }), (source, exclude, preceded, texts) => {
        const set = compileRules(
          RuleFileSchema.parse({
            version: 1,
            bias: 0,
            rules: [
              { id: 'counted', trait: 'mass_mailing', weight: 1, description: 'dowolny wzorzec', patterns: [source], ...(exclude ? { exclude: [exclude] } : {}), ...(preceded ? { not_preceded_by: '[a1]' } : {}) },
              { id: 'skipping', trait: 'mass_mailing', weight: 1, description: 'po dwóch liniach', patterns: [source], skip_lines: 2 },
            ],
          }),
        );
        for (const t of texts) fired += sameEveryWay(set, t).length;
      }),
      { numRuns: 300 },
    );
    // not vacuous: rules fired on enough texts to compare (302-384 over twelve seeds; 300 once)
    expect(fired).toBeGreaterThan(150);
  }, 60_000);
});

describe('rules tried where their literals occur', () => {
  const rules = loadRules();
  const same = (text: string) => sameEveryWay(rules, text);

  it('most of the shipped rules are prefiltered, and a rule whose literals are absent is not tried', () => {
    const prefiltered = rules.literalIndex.prefiltered.filter(Boolean).length;
    expect(prefiltered).toBeGreaterThanOrEqual(30);
    const n = normalise('Mieszkańcy ulicy Lipowej proszą o naprawę chodnika przy szkole.');
    const starts = candidateStarts(rules.literalIndex, n.bytes);
    const grant = rules.rules.findIndex((r) => r.id === 'grant_amount');
    expect(rules.literalIndex.prefiltered[grant]).toBe(true);
    expect(starts.starts[grant]).toEqual([]);
    const withGrant = normalise('Oferujemy dotację w wysokości 50 000 zł dla gminy.');
    expect(candidateStarts(rules.literalIndex, withGrant.bytes).starts[grant]).toEqual([withGrant.folded.indexOf('dotacj')]);
  });

  it('give the same hits, counts and evidence as searching, over every petition in data/', () => {
    const rows = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<{ text: string }>;
    expect(rows.length).toBeGreaterThan(500);
    let fired = 0;
    for (const r of rows) fired += same(r.text).length;
    expect(fired).toBeGreaterThan(rows.length);
  });

  it.skipIf(!hasShared)('and over both forms of the seed', () => {
    expect(same(seedEmail()).length).toBeGreaterThan(20);
    expect(same(seedBip()).length).toBeGreaterThan(10);
  });

  it('and over texts made of the rules\' own literals, overlapping, repeated and cut', () => {
    const ix = rules.literalIndex;
    const literals = Array.from({ length: ix.literalCount }, (_, i) => Buffer.from(ix.bytes.subarray(ix.starts[i]!, ix.starts[i + 1]!)).toString('latin1'));
    const filler = ['gminy', 'urzędu', 'w wysokości', '50 000 zł', '30%', 'o 25 %', 'sp. z o.o.', 'NIP 123-456-78-90', 'www.example.pl/oferta', 'a@b.pl', '§ 3', 'art. 63', '\n', '\n\n', ', ', '. ', '/', 'Wójt', 'Burmistrz'];
    const piece = fc.oneof(fc.constantFrom(...literals), fc.constantFrom(...filler), fc.string({ unit: fc.constantFrom('a', 'e', 'o', 'z', 'ł', ' ', '1'), maxLength: 6 }));
    const text = fc.array(fc.tuple(piece, fc.constantFrom('', ' ', ' ', '\n', '-')), { maxLength: 120 }).map((p) => p.map(([a, b]) => a + b).join(''));
    fc.assert(fc.property(text, (t) => void same(t)), { numRuns: 1500 });
  });

  it('and with an office profile: its localities and postal codes become literals too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sito-prefilter-profile-'));
    writeFileSync(join(dir, 'profile.yaml'), 'name: Gmina Brzozówka\nlocalities: [Dębowa Wola, Zagórze, Kolonia Zagórze]\npostal_codes: ["38-54", "38-543"]\n');
    const withProfile = loadRules(undefined, loadOfficeProfile(join(dir, 'profile.yaml')));
    const locality = withProfile.rules.findIndex((r) => r.id === 'office_locality_named');
    expect(withProfile.literalIndex.prefiltered[locality]).toBe(true);
    const piece = fc.constantFrom('Dębowej Woli', 'Dębowa Wola', 'Zagórzu', 'w Kolonii Zagórze', 'nadZagórze', '38-543 Brzozówka', '38-540', '38-5430', '00-950 Warszawa', 'ul. Lipowa 5', '\n', ' ');
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => void sameEveryWay(withProfile, parts.join(' '))), { numRuns: 1000 });
  });

  it('and the same for rules with exclusions, a forbidden character before, skipped lines and absence', () => {
    const file = RuleFileSchema.parse({
      version: 1,
      bias: -3,
      rules: [
        { id: 'exclusion', trait: 'vendor_promotion', weight: 1, description: 'oferta bez wyjątków', patterns: ['oferta \\w+'], exclude: ['oferta specjalna'] },
        { id: 'preceded', trait: 'vendor_promotion', weight: 1, description: 'domena gminy', patterns: ['gmina\\.pl'], not_preceded_by: '[a-z0-9.-]' },
        { id: 'skipping', trait: 'mass_mailing', weight: 1, description: 'wójt po nagłówku', patterns: ['wójt\\w*'], skip_lines: 2 },
        { id: 'missing', trait: 'mass_mailing', weight: 1, description: 'brak nazwy ulicy', patterns: ['ulic\\w* \\w+'], absent: true, min_chars: 20 },
        { id: 'counted', trait: 'mass_mailing', weight: 1, description: 'wiele ofert', patterns: ['ofert\\w*'], min_hits: 3 },
      ],
    });
    const custom = compileRules(file);
    expect(custom.literalIndex.prefiltered).toEqual([true, true, true, true, true]);
    const piece = fc.constantFrom('oferta specjalna', 'oferta nowa', 'oferty', 'zagan.gmina.pl', 'gmina.pl', ' gmina.pl', 'Wójt', 'wójtowie', 'ulica Lipowa', 'ulicy', '\n', '\n\n', ' ', 'x');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => void sameEveryWay(custom, parts.join(' '))), { numRuns: 2000 });
  });
});
