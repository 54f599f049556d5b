/**
 * Renders one copy of a civic mass petition (civic-families.ts) as one office would hold it: the
 * slots filled with that office's names or left as template blanks, optional paragraphs dropped,
 * and one of six forms — plain, as received by e-mail, as published by an office, a short excerpt
 * cut mid-sentence (as news sites and petition registers quote them), quoted in a council's
 * resolution on the petition, or quoted in a news item.
 */
import { pick, type Rng } from '../lib/generate-petitions.js';
import type { CivicFamily } from './civic-families.js';
import { date, int, officeOf, strip, TOWNS, typos, wrap } from './places.js';

const ROMAN = ['IV', 'V', 'VI', 'IX', 'XI', 'XII', 'XIV', 'XVII', 'XXI', 'XXIII', 'XXVIII', 'XXXI', 'XLII', 'LIV'];

/** A piece of `body` of 300–800 characters starting at a paragraph, cut mid-sentence at a word. */
export function excerpt(r: Rng, body: string): string {
  const paras = body.split(/\n\n+/).filter((p) => p.trim().length > 0);
  const from = r() < 0.4 ? 0 : Math.floor(r() * Math.max(1, paras.length - 2));
  const want = int(r, 300, 800);
  let rest = paras.slice(from).join('\n\n');
  if (rest.length < want) rest = paras.join('\n\n');
  if (rest.length <= want) return rest;
  let cut = rest.lastIndexOf(' ', want);
  if (cut < 200) cut = want;
  let piece = rest.slice(0, cut).replace(/[\s,;:–—-]+$/, '');
  // never end exactly on a sentence end: real excerpts stop mid-sentence
  if (/[.!?”]$/.test(piece)) piece = piece.slice(0, piece.lastIndexOf(' ')).replace(/[\s,;:–—-]+$/, '');
  return piece + pick(r, ['…', '...', ' (…)', '', ' [...]']);
}

export function civic(r: Rng, f: CivicFamily, k: number): string {
  const t = pick(r, TOWNS);
  const o = officeOf(t);
  const filled = r() < 0.55;
  const year = 2022 + Math.floor(r() * 4);
  const slots: Record<string, string> = {
    rada: filled ? o.council : pick(r, ['Rada Gminy', 'Rada Gminy ……………………', 'Rada (Gminy/Miasta) …………………', 'Rada']),
    RADY: filled ? o.councilGen.toUpperCase() : pick(r, ['RADY GMINY ……………………', 'RADY ………………………………', 'RADY GMINY / MIASTA ………………']),
    przew: filled ? o.chair : pick(r, ['Przewodniczący Rady Gminy', 'Pan/Pani Przewodniczący/a Rady', 'Przewodniczący Rady Gminy ……………']),
    wojt: filled ? o.head : pick(r, ['Wójt/Burmistrz/Prezydent Miasta', 'Wójt Gminy', 'Pan Wójt / Pan Burmistrz']),
    wojtowi: filled ? o.headDat : pick(r, ['Wójtowi/Burmistrzowi/Prezydentowi Miasta', 'Wójtowi Gminy', 'Wójtowi (Burmistrzowi)']),
    uchw: filled && r() < 0.5 ? `……/……/${year}` : pick(r, ['……/……/20……', '………………', '…/…/…']),
    nr: `${year}/${String(int(r, 1, 400)).padStart(3, '0')}`,
    data: date(r),
  };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, key: string) => slots[key] ?? m);
  const form = pick(r, ['plain', 'plain', 'plain', 'email', 'email', 'published', 'excerpt', 'excerpt', 'council', 'news'] as const);

  let paragraphs = f.paragraphs.filter((p) => !p.optional || r() < 0.65);
  if (form !== 'plain' && form !== 'email') paragraphs = paragraphs.filter((p) => !p.link);
  const body: string[] = [];
  for (const p of paragraphs) {
    if (p.text === '{PROJEKT}') {
      if (f.draft) body.push(f.draft.map(fill).join('\n'));
    } else body.push(fill(p.text));
  }
  const title = fill(pick(r, f.titles));
  const addressee = fill(pick(r, f.addressees));
  const greeting = /^Szanown/.test(addressee) ? '' : pick(r, f.greetings);
  const head: string[] = [];
  if (f.kind === 'person' && r() < 0.6) head.push(f.signature.filter((l) => !/^Z /.test(l)).join('\n'), '');
  if (f.city && r() < 0.6) head.push(`${f.city}, ${slots.data}`, '');
  const closing = f.signature.length === 0 ? (r() < 0.5 ? ['Obywatele'] : []) : /^Z /.test(f.signature[0]!) ? f.signature : [pick(r, ['Z poważaniem', 'Z wyrazami szacunku', 'Łączę wyrazy szacunku']), ...f.signature];
  const order = r() < 0.5 ? [addressee, '', title] : [title, '', addressee];
  const plainBody = [greeting, ...body].filter(Boolean).join('\n\n');

  let text: string;
  if (form === 'excerpt' || form === 'council' || form === 'news') {
    const cut = excerpt(r, r() < 0.3 ? `${title}\n\n${plainBody}` : plainBody).replace(/https?:\/\/\S+/g, '').replace(/\S+@\S+\.\S+/g, '');
    if (form === 'excerpt') text = r() < 0.3 ? `„${cut}` : cut;
    else if (form === 'council') {
      const sender = f.kind === 'person' ? pick(r, ['osoby fizycznej', 'osoby fizycznej (dane osobowe zanonimizowane)']) : f.kind === 'none' ? 'nadesłaną drogą elektroniczną bez podpisu' : f.senderGen;
      const received = date(r).replace(/\d{4}$/, String(year));
      const lead = r() < 0.5
        ? [
            `UCHWAŁA NR ${pick(r, ROMAN)}/${int(r, 10, 300)}/${year}`,
            o.councilGen.toUpperCase(),
            `z dnia ${date(r).replace(/\d{4}$/, String(year))} r.`,
            `w sprawie rozpatrzenia petycji ${f.topic.replace(/^w sprawie /, 'dotyczącej ')}`,
            '',
            `§ 1. ${pick(r, ['Uznaje się petycję za niezasługującą na uwzględnienie.', 'Nie uwzględnia się petycji z przyczyn wskazanych w uzasadnieniu.', 'Petycję uznaje się za bezzasadną.'])}`,
            `§ 2. Zobowiązuje się Przewodniczącego Rady do zawiadomienia wnoszącego petycję o sposobie jej załatwienia.`,
            '',
            'Uzasadnienie',
            '',
            `W dniu ${received} r. do ${o.councilGen} wpłynęła petycja ${sender} ${f.topic} o treści:`,
          ].join('\n')
        : `${o.council} rozpatrzyła petycję ${sender} z dnia ${received} r. ${f.topic}. Petycja ma następującą treść:`;
      const tail = pick(r, [
        'Komisja Skarg, Wniosków i Petycji ustaliła, że sprawa wykracza poza zadania i kompetencje rady.',
        'Komisja Skarg, Wniosków i Petycji zapoznała się z petycją na posiedzeniu i zaopiniowała ją negatywnie.',
        '',
        'Rada nie jest organem właściwym do zmiany przepisów rangi ustawowej.',
      ]);
      text = [lead, '', `„${cut}”`, '', tail].join('\n').trim();
    } else {
      const who = f.kind === 'person' ? pick(r, ['mieszkaniec innego regionu', 'osoba prywatna', 'jeden z czytelników']) : f.kind === 'none' ? 'nieznany nadawca' : f.sender;
      text = `${pick(r, ['Do urzędów gmin w całym kraju trafia petycja', 'Radni w wielu gminach dostali w ostatnich dniach petycję', 'Także do naszego urzędu wpłynęła petycja'])} ${f.topic}. Jej autorem jest ${who}. Czytamy w niej: „${cut}”`;
    }
  } else {
    text = [...head, ...order, '', plainBody, '', ...closing, form !== 'published' && r() < 0.4 ? f.email : ''].join('\n');
    if (form === 'published') {
      text = text.replace(/\S+@\S+\.\S+/g, '').replace(/https?:\/\/\S+/g, '');
      if (f.kind === 'person') text = text.replaceAll(f.sender, '[imię i nazwisko]').replace(/^ul\. .*$/gm, '[adres]');
    }
  }
  text = text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  if (r() < 0.08) text = strip(text);
  if (r() < 0.06) text = typos(r, text);
  if (form === 'email') text = wrap(r, text, f.kind === 'none' ? `<${f.email}>` : `${f.sender} <${f.email}>`, t.nom);
  void k;
  return text;
}
