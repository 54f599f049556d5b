/**
 * Generates the project's labelled corpus, data/petitions.csv, from the families and matters in
 * this folder. Seeded and deterministic: `npm run build:corpus` rewrites the same file byte for byte.
 * See data/README.md for what varies and why.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { pick, rng, type Rng } from '../lib/generate-petitions.js';
import { CIVIC_FAMILIES } from './civic-families.js';
import { civic } from './civic-generate.js';
import { context, HARD_MATTERS, reword, type HardMatter } from './hard-matters.js';
import { LOCAL_MATTERS, type LocalMatter } from './local-matters.js';
import { MASS_FAMILIES, type MassFamily } from './mass-families.js';
import { cap, date, FIRST, gperson, LAST, officeOf, person, podpisy, slug, strip, STREETS, TOWNS, typos, wrap } from './places.js';

const COMPANIES = ['PKP PLK', 'Tauron', 'PGE Dystrybucja', 'Orange', 'firma budowlana Budimex', 'spółka wodociągowa', 'zakład komunalny', 'Polskie Koleje', 'Enea Oświetlenie'];
const GRANTS = ['Rządowego Funduszu Polski Ład', 'programu „Moja Wieś”', 'Funduszu Dróg Samorządowych', 'programu Czyste Powietrze', 'Rządowego Programu Odbudowy Zabytków', 'funduszu sołeckiego'];
const NEWS = ['https://www.facebook.com/groups/mieszkancy-{slug}', 'https://www.{slug}-info.example.pl/artykul/nasza-sprawa', 'https://zmienmy.to/petycja/{slug}', 'https://www.youtube.com/watch?v=a1b2c3'];

// ------------------------------------------------------------------ genuine petitions
function regular(r: Rng, m: LocalMatter, k: number): string {
  const t = pick(r, TOWNS);
  const town = t.nom;
  const o = officeOf(t);
  const st = pick(r, STREETS);
  const school = `nr ${1 + Math.floor(r() * 5)} w ${t.loc}`;
  const fillM = (s: string) =>
    s.replace('na ulicę {ulica}', `na ul. ${st.acc}`).replace('ulicy {ulica}', `ul. ${st.obl}`).replace('{ulica}', `ul. ${st.obl}`).replace('{miasto}', town).replace('{szkola}', school);
  const ask = fillM(m.ask);
  const reasons = m.reasons.map(fillM);
  const author = pick(r, ['residents', 'parents', 'solectwo', 'association', 'business', 'single', 'residents'] as const);
  const single = gperson(r);
  const one = author === 'single';
  const register = pick(r, ['email', 'letter', 'letter', 'legal', 'long'] as const);
  const who = {
    residents: `my, mieszkańcy ul. ${st.obl} w ${t.loc},`,
    parents: `my, rodzice uczniów Szkoły Podstawowej ${school},`,
    solectwo: `sołtys i rada sołecka sołectwa ${town}, w imieniu mieszkańców,`,
    association: `Stowarzyszenie Przyjaciół ${t.gen}, działając w imieniu swoich członków,`,
    business: `przedsiębiorcy prowadzący działalność przy ul. ${st.obl} w ${t.loc},`,
    single: `${single.f ? 'jako mieszkanka' : 'jako mieszkaniec'} ul. ${st.obl} od ponad dwudziestu lat,`,
  }[author];
  const signer = {
    residents: `Mieszkańcy ul. ${st.obl}\n(lista podpisów w załączeniu — ${podpisy(12 + Math.floor(r() * 300))})`,
    parents: `Rada Rodziców\n${person(r)}, przewodnicząca`,
    solectwo: `Sołtys ${person(r)}\nRada Sołecka sołectwa ${town}`,
    association: `${person(r)}\nPrezes Zarządu Stowarzyszenia Przyjaciół ${t.gen}\nKRS: 0000${100000 + Math.floor(r() * 899999)}`,
    business: `${person(r)}\n${pick(r, ['Piekarnia', 'Sklep spożywczy', 'Zakład fryzjerski', 'Warsztat samochodowy', 'Apteka'])} ${pick(r, LAST)} ${pick(r, ['sp.j.', 's.c.', 'sp. z o.o.', ''])}\nNIP ${600 + Math.floor(r() * 300)}-${100 + Math.floor(r() * 800)}-${10 + Math.floor(r() * 80)}-${10 + Math.floor(r() * 80)}`,
    single: single.name,
  }[author];
  const extras: string[] = [];
  if (r() < 0.2) extras.push(`Wiemy, że na takie zadania gmina może uzyskać dofinansowanie z ${pick(r, GRANTS)}, nawet do ${pick(r, ['100 000', '250 000', '1 000 000', '80 000'])} zł, dlatego prosimy o złożenie wniosku w najbliższym naborze.`);
  if (r() < 0.15) extras.push(`Sprawę zgłaszaliśmy już wcześniej do ${pick(r, COMPANIES)}, ale odesłano nas do urzędu.`);
  if (r() < 0.15) extras.push(`Zdjęcia i opis sytuacji zamieściliśmy tutaj: ${pick(r, NEWS).replace('{slug}', slug(town))}`);
  if (r() < 0.15) extras.push(`Odpowiedź prosimy przesłać na adres ${slug(pick(r, FIRST))}.${slug(pick(r, LAST))}@poczta.example.pl.`);
  if (r() < 0.1) extras.push('Jesteśmy gotowi spotkać się z przedstawicielami urzędu w dogodnym terminie, także na miejscu.');
  const legal = register === 'legal' || r() < 0.15
    ? pick(r, [
        'Działając na podstawie art. 63 Konstytucji RP oraz ustawy z dnia 11 lipca 2014 r. o petycjach (Dz. U. z 2018 r. poz. 870),',
        'Na podstawie art. 2 ust. 1 ustawy o petycjach',
        'Zgodnie z art. 63 Konstytucji Rzeczypospolitej Polskiej',
        'W trybie ustawy z dnia 11 lipca 2014 r. o petycjach (t.j. Dz. U. z 2018 r. poz. 870)',
      ])
    : '';
  let text: string;
  if (register === 'email') {
    text = [
      pick(r, ['Dzień dobry,', 'Szanowni Państwo,', 'Witam,']),
      '',
      `${cap(who.replace(/,$/, ''))} — ${one ? 'proszę' : 'prosimy'} o ${ask}. ${cap(reasons[0]!)}${r() < 0.5 ? `, a ${reasons[1]}` : ''}.`,
      ...extras,
      '',
      pick(r, ['Pozdrawiam', 'Z poważaniem', 'Dziękujemy i pozdrawiamy']),
      signer.split('\n')[0]!,
    ].join('\n');
  } else {
    const paragraphs = [
      `${legal ? `${legal} ${who}` : cap(who)} ${one ? 'wnoszę' : 'wnosimy'} o ${ask}.`,
      `${cap(reasons[0]!)}. ${cap(reasons[1]!)}.`,
    ];
    if (register === 'long' || r() < 0.3) {
      paragraphs.push(`Problem trwa od ${pick(r, ['dwóch lat', 'kilku miesięcy', 'ubiegłej jesieni', 'zakończenia budowy'])}. ${pick(r, ['Zgłaszaliśmy go ustnie w urzędzie i na zebraniu wiejskim.', 'Pisaliśmy w tej sprawie do radnego naszego okręgu.', 'Sprawa była poruszana na sesji rady, ale nic się nie zmieniło.'])} ${pick(r, ['Liczymy, że tym razem zostanie potraktowana poważnie.', 'Mamy nadzieję na szybkie działania.', 'Prosimy o wyznaczenie terminu realizacji.'])}`);
    }
    if (register === 'legal') {
      paragraphs.push(`Zgodnie z art. 7 ust. 1 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym (Dz. U. z 2024 r. poz. 609) zaspokajanie zbiorowych potrzeb wspólnoty należy do zadań własnych gminy, w szczególności w zakresie ${pick(r, ['dróg gminnych', 'edukacji publicznej', 'zieleni gminnej', 'wodociągów i kanalizacji', 'porządku publicznego'])}.`);
    }
    paragraphs.push(...extras);
    text = [
      `${town}, ${date(r)}`,
      '',
      pick(r, [o.head, o.council, `${o.head}\n${o.council}`, ((h) => `${h.f ? 'Szanowna Pani' : 'Szanowny Pan'}\n${h.name}\n${o.head}`)(gperson(r))]),
      '',
      pick(r, ['PETYCJA', 'Petycja', `Petycja w sprawie: ${ask}`, '']),
      '',
      ...paragraphs.flatMap((p) => [p, '']),
      pick(r, ['Z wyrazami szacunku', 'Z poważaniem', 'Z góry dziękujemy']),
      signer,
    ].join('\n');
  }
  text = text.replace(/\n{3,}/g, '\n\n').trim();
  if (r() < 0.1) text = typos(r, text);
  if (r() < 0.1) text = strip(text);
  if (r() < 0.2) text = wrap(r, text, `${person(r)} <${slug(pick(r, FIRST))}${k}@poczta.example.pl>`, town);
  return text;
}

// ------------------------------------------------------------------ mass petitions
function mass(r: Rng, f: MassFamily, k: number): string {
  const town = pick(r, TOWNS).nom;
  const form = pick(r, ['plain', 'plain', 'email', 'published'] as const);
  const fillF = (s: string) =>
    s
      .replace('{nr}', `${2021 + Math.floor(r() * 4)}/${String(k + 1).padStart(2, '0')}`)
      .replace('{data}', date(r))
      .replace('{www}', f.www ?? '')
      .replace('{email}', f.email)
      .replace('{miasto}', town);
  let paragraphs = f.paragraphs.filter((p) => !p.optional || r() < 0.7).filter((p) => !(form === 'published' && p.link));
  if (r() < 0.2 && paragraphs.length > 3) {
    const i = 1 + Math.floor(r() * (paragraphs.length - 2));
    paragraphs = [...paragraphs.slice(0, i), paragraphs[i + 1]!, paragraphs[i]!, ...paragraphs.slice(i + 2)];
  }
  const lines = [
    fillF(pick(r, f.title)),
    '',
    pick(r, f.addressees),
    '',
    ...paragraphs.flatMap((p) => [fillF(p.text), '']),
    ...(form === 'published' ? [] : ['Z poważaniem', ...f.signature, r() < 0.5 ? f.email : '']),
  ];
  let text = lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  if (form === 'published') text = text.replace(/\S+@\S+\.\S+/g, '').replace(/https?:\/\/\S+/g, '');
  if (r() < 0.1) text = strip(text);
  if (r() < 0.08) text = typos(r, text);
  if (form === 'email') text = wrap(r, text, `${f.sender} <${f.email}>`, town);
  return text;
}

// ------------------------------------------------------------------ hard genuine petitions
function hard(r: Rng, m: HardMatter): string {
  const c = context(r);
  let text = reword(r, m.write(c));
  if (r() < 0.08) text = typos(r, text);
  if (r() < 0.08) text = strip(text);
  if (r() < 0.2) text = wrap(r, text, `${c.p.name} <${slug(c.p.name).replace('-', '.')}@poczta.example.pl>`, c.t.nom);
  return text;
}

const CIVIC_COPIES = 14;
const HARD_COPIES = 11;

export function generateCorpus(seed = 2026): Array<{ id: string; label: 'mass' | 'regular'; family: string; text: string }> {
  const r = rng(seed);
  const rows: Array<{ id: string; label: 'mass' | 'regular'; family: string; text: string }> = [];
  for (const f of MASS_FAMILIES) for (let k = 0; k < 11; k++) rows.push({ id: `m-${f.family}-${k + 1}`, label: 'mass', family: f.family, text: mass(r, f, k) });
  for (const m of LOCAL_MATTERS) for (let k = 0; k < 4; k++) rows.push({ id: `r-${m.matter}-${k + 1}`, label: 'regular', family: `local-${m.matter}`, text: regular(r, m, k) });
  for (const f of CIVIC_FAMILIES) for (let k = 0; k < CIVIC_COPIES; k++) rows.push({ id: `m-${f.family}-${k + 1}`, label: 'mass', family: f.family, text: civic(r, f, k) });
  for (const m of HARD_MATTERS) for (let k = 0; k < HARD_COPIES; k++) rows.push({ id: `r-${m.matter}-${k + 1}`, label: 'regular', family: `local-${m.matter}`, text: hard(r, m) });
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('../../data/petitions.csv', import.meta.url));
  const rows = generateCorpus();
  writeFileSync(out, stringify(rows, { header: true, columns: ['id', 'label', 'family', 'text'], quoted_string: true }));
  const mass = rows.filter((x) => x.label === 'mass');
  console.log(`wrote ${out}: ${rows.length} petitions, ${mass.length} mass in ${new Set(mass.map((x) => x.family)).size} families, ${rows.length - mass.length} regular in ${new Set(rows.filter((x) => x.label === 'regular').map((x) => x.family)).size} local matters`);
}
