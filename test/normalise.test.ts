import { describe, expect, it } from 'vitest';
import { normalise, toOriginalSpan } from '../src/normalise/normalise.js';
import { fixture, hasShared, seedEmail } from './helpers/paths.js';
import { score } from './helpers/engine.js';

describe('folding', () => {
  it('lower-cases, strips Polish diacritics and collapses white space', () => {
    const n = normalise('Zażółć  GĘŚLĄ\n\n\tjaźń — „Łódź”');
    expect(n.folded).toBe('zazolc gesla\njazn - "lodz"');
  });

  it('maps every folded span back to the original text, also for decomposed (NFD) input', () => {
    const original = 'Wniosek o dotacje\u0328 50\u00a0000 zł dla gminy'; // "dotację" written as e + combining ogonek
    const n = normalise(original);
    const at = n.folded.indexOf('dotacje');
    const span = toOriginalSpan(n, at, at + 'dotacje'.length);
    expect(original.slice(span.start, span.end)).toBe('dotacje\u0328');
    const amount = n.folded.indexOf('50 000 zl');
    const s2 = toOriginalSpan(n, amount, amount + 9);
    expect(original.slice(s2.start, s2.end)).toBe('50\u00a0000 zł');
  });

  it('keeps surrogate pairs whole and the folded text ASCII', () => {
    const n = normalise('Petycja 📎 ważna');
    expect(/^[\x00-\x7f]*$/.test(n.folded)).toBe(true);
    const at = n.folded.indexOf('\u007f');
    const span = toOriginalSpan(n, at, at + 2);
    expect(n.original.slice(span.start, span.end)).toBe('📎');
  });
});

describe('e-mail wrapper', () => {
  const body = fixture('genuine/pavement-email.txt');
  const wrapped = [
    'Od: Anna Wiśniewska <anna.w@poczta.example.pl>',
    'Wysłano: poniedziałek, 6 maja 2024 08:18',
    'Do: Sekretariat <sekretariat@zalesie.example.pl>',
    'Temat: Chodnik na Kwiatowej',
    '',
    'Data wpływu: 2024-05-06',
    'Nr: KC.152.3.2024',
    'Przyjęła: Karolina Nowak - Kancelaria',
    '**** OSTRZEŻENIE ****',
    'Ten e-mail pochodzi spoza organizacji. Nie klikaj łączy ani nie otwieraj załączników, chyba że rozpoznasz nadawcę.',
    '',
    body,
    '',
    'Czy na pewno musisz drukować tę wiadomość? Pomyśl o środowisku.',
  ].join('\n');

  it('recognises headers, registry stamp, banner and footer, and leaves the petition', () => {
    const n = normalise(wrapped);
    const kinds = n.wrapper.map((w) => w.kind);
    expect(kinds).toContain('header');
    expect(kinds).toContain('banner');
    expect(kinds).toContain('footer');
    expect(n.folded).not.toMatch(/ostrzezenie|spoza organizacji|drukowac|data wplywu|przyjela|sekretariat@/);
    expect(n.folded).toContain('chodnik przed numerami 12-20');
  });

  it('neither raises nor lowers the score of a genuine petition', () => {
    expect(score(wrapped).score).toBe(score(body).score);
  });

  it('keeps a "Do:" line that addresses the petition when no mail header is near', () => {
    const n = normalise('Do: Rada Gminy Zalesie\n\nPetycja w sprawie chodnika.');
    expect(n.folded).toContain('do: rada gminy zalesie');
  });

  it.skipIf(!hasShared)('does not change the verdict of the seed petition received by e-mail', () => {
    const r = score(seedEmail());
    for (const reason of r.reasons) {
      for (const ev of reason.evidence) {
        expect(ev.text).not.toMatch(/Data wpływu|OSTRZEŻENIE|Sekretariat@/);
      }
    }
  });
});
