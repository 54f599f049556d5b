import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findWrapper } from '../src/normalise/email-wrapper.js';
import { foldText, foldUnit, type Range } from '../src/normalise/fold.js';
import { hasShared, repoRoot, seedEmail } from './helpers/paths.js';

/**
 * Folding as first written (a function per character class, a cached string per non-ASCII unit),
 * kept as the definition the table-driven fold must give to the byte: evidence offsets depend on
 * the folded text and its map.
 */
function foldByDefinition(original: string, excluded: readonly Range[] = []): { folded: string; map: number[] } {
  const isCombining = (c: number) => (c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
  const isInvisible = (c: number) => c === 0x00ad || (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff;
  const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
  const isNewline = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029 || c === 0x0b || c === 0x0c;
  let folded = '';
  const map: number[] = [];
  let pending = 0;
  let pendingAt = 0;
  let ex = 0;
  for (let i = 0; i < original.length; ) {
    if (ex < excluded.length && i >= excluded[ex]!.start) {
      if (i < excluded[ex]!.end) {
        if (pending < 2) (pending = 2), (pendingAt = i);
        i = excluded[ex]!.end;
      }
      ex++;
      continue;
    }
    const code = original.charCodeAt(i);
    if (isSpace(code)) {
      const kind = isNewline(code) ? 2 : 1;
      if (kind > pending) {
        if (pending === 0) pendingAt = i;
        pending = kind;
      }
      i++;
      continue;
    }
    if (isCombining(code) || isInvisible(code)) {
      i++;
      continue;
    }
    if (pending !== 0) {
      if (folded.length > 0) folded += pending === 2 ? '\n' : ' ', map.push(pendingAt);
      pending = 0;
    }
    folded += code < 0x80 ? (code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : String.fromCharCode(code)) : foldUnit(code);
    map.push(i);
    i++;
  }
  return { folded, map };
}

const same = (text: string, excluded: readonly Range[] = []) => {
  const f = foldText(text, excluded);
  expect({ folded: f.folded, map: [...f.map] }).toEqual(foldByDefinition(text, excluded));
  expect(f.bytes.toString('latin1')).toBe(f.folded);
};

describe('folding through one table look-up per code unit', () => {
  it('gives what the definition gives on generated texts: every class of unit, surrogates, excluded ranges', () => {
    const unit = fc.oneof(
      fc.constantFrom('A', 'z', 'Ł', 'ł', 'Ą', 'ę', 'Ź', 'ß', 'Æ', 'ø', 'é', 'e\u0301', '\u00ad', '\u200b', '\ufeff', '\u2028', '\u00a0', '\u3000', '\r\n', '\t', '\u000b', ' ', '§', '„', '”', '–', '…', '\u0000', '\ud83d\ude00', '\ud800', '\udfff', '中', 'Ω'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    const input = fc.array(unit, { maxLength: 80 }).chain((parts) => {
      const text = parts.join('');
      const cut = fc.array(fc.nat({ max: Math.max(0, text.length) }), { maxLength: 6 }).map((xs) => {
        const points = [...new Set(xs)].sort((a, b) => a - b);
        const ranges: Range[] = [];
        for (let i = 0; i + 1 < points.length; i += 2) ranges.push({ start: points[i]!, end: points[i + 1]! });
        return ranges;
      });
      return fc.tuple(fc.constant(text), cut);
    });
    fc.assert(fc.property(input, ([text, ranges]) => same(text, ranges)), { numRuns: 3000 });
  });

  it('gives what the definition gives on every petition of data/ and the fixtures, with their e-mail wrappers left out', () => {
    const csv = readFileSync(join(repoRoot, 'data/petitions.csv'), 'utf8');
    same(csv);
    if (hasShared) same(seedEmail(), findWrapper(seedEmail())); // the seed e-mail, where ../shared is beside the clone
    const dir = join(repoRoot, 'test/fixtures');
    for (const sub of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(dir, sub.name)).filter((f) => f.endsWith('.txt') || f.endsWith('.eml'))) {
        const text = readFileSync(join(dir, sub.name, f), 'utf8');
        same(text, findWrapper(text));
      }
    }
  });
});
