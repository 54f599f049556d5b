/**
 * Generates the project's labelled corpus, data/petitions.csv, from the families and matters in
 * this folder. Seeded and deterministic: `npm run build:corpus` rewrites the same file byte for byte.
 * See data/README.md for what varies and why.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { pick, rng, type Rng } from '../lib/generate-petitions.js';
import { LOCAL_MATTERS, type LocalMatter } from './local-matters.js';
import { MASS_FAMILIES, type MassFamily } from './mass-families.js';

const TOWNS: Array<[string, 'gmina' | 'miasto']> = [
  ['Brzozówka', 'gmina'], ['Stare Pole', 'gmina'], ['Dąbrowa', 'gmina'], ['Łask', 'miasto'], ['Żnin', 'miasto'], ['Opatów', 'miasto'],
  ['Kłodawa', 'miasto'], ['Przytyk', 'gmina'], ['Zbójno', 'gmina'], ['Mielec', 'miasto'], ['Sokółka', 'miasto'], ['Gorlice', 'miasto'],
  ['Lipno', 'miasto'], ['Wierzbica', 'gmina'], ['Cisna', 'gmina'], ['Krynki', 'gmina'], ['Pisz', 'miasto'], ['Koło', 'miasto'],
  ['Wolbórz', 'miasto'], ['Rypin', 'miasto'], ['Strzyżów', 'miasto'], ['Baranów', 'gmina'], ['Łęczyca', 'miasto'], ['Sułkowice', 'gmina'],
];
const STREETS = ['Lipowa', 'Kwiatowa', 'Szkolna', 'Polna', 'Leśna', 'Ogrodowa', 'Słoneczna', 'Krótka', 'Kościelna', 'Parkowa', 'Łąkowa', 'Graniczna', 'Sportowa', 'Młyńska', 'Jana Pawła II', 'Mickiewicza', 'Kolejowa', 'Wiejska'];
const FIRST = ['Anna', 'Jan', 'Ewa', 'Piotr', 'Maria', 'Tomasz', 'Katarzyna', 'Marek', 'Agnieszka', 'Krzysztof', 'Barbara', 'Józef', 'Zofia', 'Grzegorz', 'Halina'];
const LAST = ['Nowak', 'Kowalska', 'Wiśniewski', 'Wójcik', 'Kamińska', 'Lewandowski', 'Zielińska', 'Szymański', 'Woźniak', 'Dąbrowska', 'Kozłowski', 'Jankowska', 'Mazur', 'Krawczyk', 'Piotrowska'];
const COMPANIES = ['PKP PLK', 'Tauron', 'PGE Dystrybucja', 'Orange', 'firma budowlana Budimex', 'spółka wodociągowa', 'zakład komunalny', 'Polskie Koleje', 'Enea Oświetlenie'];
const GRANTS = ['Rządowego Funduszu Polski Ład', 'programu „Moja Wieś”', 'Funduszu Dróg Samorządowych', 'programu Czyste Powietrze', 'Rządowego Programu Odbudowy Zabytków', 'funduszu sołeckiego'];
const NEWS = ['https://www.facebook.com/groups/mieszkancy-{slug}', 'https://www.{slug}-info.example.pl/artykul/nasza-sprawa', 'https://zmienmy.to/petycja/{slug}', 'https://www.youtube.com/watch?v=a1b2c3'];

const strip = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
const slug = (s: string) => strip(s).toLowerCase().replace(/[^a-z0-9]+/g, '-');
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const date = (r: Rng) => `${1 + Math.floor(r() * 28)}.${String(1 + Math.floor(r() * 12)).padStart(2, '0')}.${2021 + Math.floor(r() * 4)}`;
const person = (r: Rng) => `${pick(r, FIRST)} ${pick(r, LAST)}`;

function typos(r: Rng, s: string): string {
  return s.replace(/\b(\p{L}{5,})\b/gu, (w) => (r() < 0.03 ? w.slice(0, 2) + w[3] + w[2] + w.slice(4) : w));
}

function wrap(r: Rng, text: string, from: string, town: string): string {
  return [
    `Od: ${from}`,
    `Wysłano: ${date(r)} ${8 + Math.floor(r() * 9)}:${10 + Math.floor(r() * 49)}`,
    `Do: sekretariat@${slug(town)}.example.pl`,
    `Temat: ${pick(r, ['Petycja', 'petycja', 'Wniosek', 'Pismo', 'Sprawa'])}`,
    '',
    `Data wpływu: ${2021 + Math.floor(r() * 4)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    `Nr: KC.${100 + Math.floor(r() * 900)}.${2021 + Math.floor(r() * 4)}`,
    r() < 0.5 ? `Przyjęła: ${person(r)} - Kancelaria` : `Przyjął: ${person(r)}`,
    '**** OSTRZEŻENIE ****',
    'Ten e-mail pochodzi spoza organizacji. Nie klikaj łączy ani nie otwieraj załączników, chyba że rozpoznasz nadawcę i wiesz, że zawartość jest bezpieczna.',
    '',
    text,
    '',
    r() < 0.5 ? 'Czy na pewno musisz drukować tę wiadomość? Pomyśl o środowisku.' : '',
  ].join('\n');
}

function officeOf(town: string, kind: 'gmina' | 'miasto') {
  return kind === 'gmina'
    ? { head: `Wójt Gminy ${town}`, council: `Rada Gminy ${town}`, office: `Urząd Gminy ${town}` }
    : { head: `Burmistrz Miasta ${town}`, council: `Rada Miejska w ${town}`, office: `Urząd Miejski w ${town}` };
}

// ------------------------------------------------------------------ genuine petitions
function regular(r: Rng, m: LocalMatter, k: number): string {
  const [town, kind] = pick(r, TOWNS);
  const o = officeOf(town, kind);
  const street = pick(r, STREETS);
  const school = `nr ${1 + Math.floor(r() * 5)} w ${town}`;
  const fillM = (s: string) => s.replace('ulicy {ulica}', `ul. ${street}`).replace('{ulica}', `ul. ${street}`).replace('{miasto}', town).replace('{szkola}', school);
  const ask = fillM(m.ask);
  const reasons = m.reasons.map(fillM);
  const author = pick(r, ['residents', 'parents', 'solectwo', 'association', 'business', 'single', 'residents'] as const);
  const register = pick(r, ['email', 'letter', 'letter', 'legal', 'long'] as const);
  const who = {
    residents: `my, mieszkańcy ul. ${street} w miejscowości ${town},`,
    parents: `my, rodzice uczniów Szkoły Podstawowej ${school},`,
    solectwo: `sołtys i rada sołecka sołectwa ${town}, w imieniu mieszkańców,`,
    association: `Stowarzyszenie Przyjaciół ${town}, działając w imieniu swoich członków,`,
    business: `przedsiębiorcy prowadzący działalność przy ul. ${street} w miejscowości ${town},`,
    single: 'jako mieszkanka tej ulicy od ponad dwudziestu lat,',
  }[author];
  const signer = {
    residents: `Mieszkańcy ul. ${street}\n(lista podpisów w załączeniu — ${12 + Math.floor(r() * 300)} podpisów)`,
    parents: `Rada Rodziców\n${person(r)}, przewodnicząca`,
    solectwo: `Sołtys ${person(r)}\nRada Sołecka sołectwa ${town}`,
    association: `${person(r)}\nPrezes Zarządu Stowarzyszenia Przyjaciół ${town}\nKRS: 0000${100000 + Math.floor(r() * 899999)}`,
    business: `${person(r)}\n${pick(r, ['Piekarnia', 'Sklep spożywczy', 'Zakład fryzjerski', 'Warsztat samochodowy', 'Apteka'])} ${pick(r, LAST)} ${pick(r, ['sp.j.', 's.c.', 'sp. z o.o.', ''])}\nNIP ${600 + Math.floor(r() * 300)}-${100 + Math.floor(r() * 800)}-${10 + Math.floor(r() * 80)}-${10 + Math.floor(r() * 80)}`,
    single: person(r),
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
      `${cap(who.replace(/,$/, ''))} — prosimy o ${ask}. ${cap(reasons[0]!)}${r() < 0.5 ? `, a ${reasons[1]}` : ''}.`,
      ...extras,
      '',
      pick(r, ['Pozdrawiam', 'Z poważaniem', 'Dziękujemy i pozdrawiamy']),
      signer.split('\n')[0]!,
    ].join('\n');
  } else {
    const paragraphs = [
      `${legal ? `${legal} ` : ''}${who} wnosimy o ${ask}.`,
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
      pick(r, [o.head, o.council, `${o.head}\n${o.council}`, `Szanowny Pan\n${person(r)}\n${o.head}`]),
      '',
      pick(r, ['PETYCJA', 'Petycja', `Petycja w sprawie: ${ask}`, '']),
      '',
      ...paragraphs.flatMap((p) => [p, '']),
      pick(r, ['Z wyrazami szacunku', 'Z poważaniem', 'Z góry dziękujemy']),
      signer,
    ].join('\n');
  }
  if (r() < 0.1) text = typos(r, text);
  if (r() < 0.1) text = strip(text);
  if (r() < 0.2) text = wrap(r, text, `${person(r)} <${slug(pick(r, FIRST))}${k}@poczta.example.pl>`, town);
  return text;
}

// ------------------------------------------------------------------ mass petitions
function mass(r: Rng, f: MassFamily, k: number): string {
  const [town] = pick(r, TOWNS);
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

export function generateCorpus(seed = 2026): Array<{ id: string; label: 'mass' | 'regular'; family: string; text: string }> {
  const r = rng(seed);
  const rows: Array<{ id: string; label: 'mass' | 'regular'; family: string; text: string }> = [];
  for (const f of MASS_FAMILIES) for (let k = 0; k < 11; k++) rows.push({ id: `m-${f.family}-${k + 1}`, label: 'mass', family: f.family, text: mass(r, f, k) });
  for (const m of LOCAL_MATTERS) for (let k = 0; k < 4; k++) rows.push({ id: `r-${m.matter}-${k + 1}`, label: 'regular', family: `local-${m.matter}`, text: regular(r, m, k) });
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('../../data/petitions.csv', import.meta.url));
  const rows = generateCorpus();
  writeFileSync(out, stringify(rows, { header: true, columns: ['id', 'label', 'family', 'text'], quoted_string: true }));
  const mass = rows.filter((x) => x.label === 'mass');
  console.log(`wrote ${out}: ${rows.length} petitions, ${mass.length} mass in ${new Set(mass.map((x) => x.family)).size} families, ${rows.length - mass.length} regular in ${new Set(rows.filter((x) => x.label === 'regular').map((x) => x.family)).size} local matters`);
}
