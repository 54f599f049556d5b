import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINE_EXPRESSIONS, lineAnchored } from '../src/normalise/email-wrapper.js';
import { hasShared, repoRoot, seedEmail, seedBip } from './helpers/paths.js';

/** Every expression's matches both ways: tried at the lines holding its literal, and by matchAll (the definition). */
const sameMatches = (text: string) => {
  for (const [re, literal] of LINE_EXPRESSIONS) {
    const tried = [...lineAnchored(text, re, literal)].map((m) => [m.index, m[0]]);
    const searched = [...text.matchAll(re)].map((m) => [m.index, m[0]]);
    expect(tried, `${re.source} over ${JSON.stringify(text.slice(0, 200))}`).toEqual(searched);
  }
};

describe('the e-mail wrapper tries its line-anchored expressions only at lines holding their literal', () => {
  it('finds what matchAll finds on generated mail-like texts: every line terminator, keys, addresses, dates, quotes, attachments', () => {
    const piece = fc.constantFrom(
      '\n', '\r\n', '\r', '\u2028', '\u2029', ' ', '\t', ':', '@', '.', '-', '--', '>', '<', '*',
      'Od', 'Do', 'Temat', 'DW', 'From', 'Data wpływu', 'Nr', 'Wysłano', 'Pn, 06.05.2024 08:18', 'Mon 6/5/24 8:18',
      'Jan Kowalski <jan@example.pl>', 'a@b.pl', '<x@y>', 'pismo.pdf', 'skan.JPG;', 'plik.docx,', '/a.pdf',
      '-- Original Message --', '---- Wiadomość oryginalna ----', '> cytat', '   > a', 'wnoszę o', 'Łódź', '12:30', '2024-05-06',
    );
    const text = fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(fc.property(text, sameMatches), { numRuns: 3000 });
  });

  it('finds what matchAll finds on data/, the fixtures and the seeds', () => {
    sameMatches(readFileSync(join(repoRoot, 'data/petitions.csv'), 'utf8'));
    const dir = join(repoRoot, 'test/fixtures');
    for (const sub of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(dir, sub.name)).filter((f) => /\.(txt|eml)$/.test(f))) sameMatches(readFileSync(join(dir, sub.name, f), 'utf8'));
    }
    if (hasShared) {
      sameMatches(seedEmail());
      sameMatches(seedBip());
    }
  });
});
