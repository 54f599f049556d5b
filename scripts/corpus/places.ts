/**
 * Places, people and small helpers shared by the corpus generator: towns with the Polish forms a
 * petition needs (genitive, locative), streets with theirs, names, dates. Written by the project.
 */
import { pick, type Rng } from '../lib/generate-petitions.js';

export interface Town {
  /** nominative: "Brzozówka" */ nom: string;
  /** genitive: "Brzozówki" */ gen: string;
  /** locative, without the preposition: "Brzozówce" */ loc: string;
  kind: 'gmina' | 'miasto';
}

const T = (nom: string, gen: string, loc: string, kind: 'gmina' | 'miasto'): Town => ({ nom, gen, loc, kind });
export const TOWNS: Town[] = [
  T('Brzozówka', 'Brzozówki', 'Brzozówce', 'gmina'), T('Stare Pole', 'Starego Pola', 'Starym Polu', 'gmina'),
  T('Dąbrowa', 'Dąbrowy', 'Dąbrowie', 'gmina'), T('Łask', 'Łasku', 'Łasku', 'miasto'), T('Żnin', 'Żnina', 'Żninie', 'miasto'),
  T('Opatów', 'Opatowa', 'Opatowie', 'miasto'), T('Kłodawa', 'Kłodawy', 'Kłodawie', 'miasto'), T('Przytyk', 'Przytyku', 'Przytyku', 'gmina'),
  T('Zbójno', 'Zbójna', 'Zbójnie', 'gmina'), T('Mielec', 'Mielca', 'Mielcu', 'miasto'), T('Sokółka', 'Sokółki', 'Sokółce', 'miasto'),
  T('Gorlice', 'Gorlic', 'Gorlicach', 'miasto'), T('Lipno', 'Lipna', 'Lipnie', 'miasto'), T('Wierzbica', 'Wierzbicy', 'Wierzbicy', 'gmina'),
  T('Cisna', 'Cisnej', 'Cisnej', 'gmina'), T('Krynki', 'Krynek', 'Krynkach', 'gmina'), T('Pisz', 'Pisza', 'Piszu', 'miasto'),
  T('Koło', 'Koła', 'Kole', 'miasto'), T('Wolbórz', 'Wolborza', 'Wolborzu', 'miasto'), T('Rypin', 'Rypina', 'Rypinie', 'miasto'),
  T('Strzyżów', 'Strzyżowa', 'Strzyżowie', 'miasto'), T('Baranów', 'Baranowa', 'Baranowie', 'gmina'), T('Łęczyca', 'Łęczycy', 'Łęczycy', 'miasto'),
  T('Sułkowice', 'Sułkowic', 'Sułkowicach', 'gmina'),
];

/** Villages of a rural gmina (sołectwa): nominative, locative, genitive. */
export const VILLAGES: Array<[string, string, string]> = [
  ['Wola Górna', 'Woli Górnej', 'Woli Górnej'], ['Zagórze', 'Zagórzu', 'Zagórza'], ['Podlesie', 'Podlesiu', 'Podlesia'], ['Kamionka', 'Kamionce', 'Kamionki'],
  ['Olszynki', 'Olszynkach', 'Olszynek'], ['Nowa Wieś', 'Nowej Wsi', 'Nowej Wsi'], ['Zarzecze', 'Zarzeczu', 'Zarzecza'], ['Borki', 'Borkach', 'Borków'],
  ['Łęgi', 'Łęgach', 'Łęgów'], ['Jabłonowo', 'Jabłonowie', 'Jabłonowa'],
];

export interface Street { nom: string; /** genitive = locative: "Polnej" */ obl: string; /** accusative: "Polną" */ acc: string }
const S = (nom: string): Street => {
  if (!/a$/.test(nom) || /(Pawła II|Mickiewicza|Kościuszki)$/.test(nom)) return { nom, obl: nom, acc: nom };
  return { nom, obl: nom.replace(/ka$/, 'kiej').replace(/([^k])a$/, '$1ej'), acc: nom.replace(/a$/, 'ą') };
};
export const STREETS: Street[] = ['Lipowa', 'Kwiatowa', 'Szkolna', 'Polna', 'Leśna', 'Ogrodowa', 'Słoneczna', 'Krótka', 'Kościelna', 'Parkowa', 'Łąkowa', 'Graniczna', 'Sportowa', 'Młyńska', 'Jana Pawła II', 'Mickiewicza', 'Kolejowa', 'Wiejska', 'Kościuszki'].map(S);

export const FIRST_F = ['Anna', 'Ewa', 'Maria', 'Katarzyna', 'Agnieszka', 'Barbara', 'Zofia', 'Halina', 'Małgorzata', 'Joanna'];
export const FIRST_M = ['Jan', 'Piotr', 'Tomasz', 'Marek', 'Krzysztof', 'Józef', 'Grzegorz', 'Andrzej', 'Paweł', 'Stanisław'];
export const FIRST = ['Anna', 'Jan', 'Ewa', 'Piotr', 'Maria', 'Tomasz', 'Katarzyna', 'Marek', 'Agnieszka', 'Krzysztof', 'Barbara', 'Józef', 'Zofia', 'Grzegorz', 'Halina'];
export const LAST = ['Nowak', 'Kowalska', 'Wiśniewski', 'Wójcik', 'Kamińska', 'Lewandowski', 'Zielińska', 'Szymański', 'Woźniak', 'Dąbrowska', 'Kozłowski', 'Jankowska', 'Mazur', 'Krawczyk', 'Piotrowska'];
/** Surnames in both genders, so that a woman's name reads right: [masculine, feminine]. */
const LAST_MF: Array<[string, string]> = [['Nowak', 'Nowak'], ['Kowalski', 'Kowalska'], ['Wiśniewski', 'Wiśniewska'], ['Wójcik', 'Wójcik'], ['Kamiński', 'Kamińska'], ['Lewandowski', 'Lewandowska'], ['Zieliński', 'Zielińska'], ['Szymański', 'Szymańska'], ['Woźniak', 'Woźniak'], ['Dąbrowski', 'Dąbrowska'], ['Kozłowski', 'Kozłowska'], ['Mazur', 'Mazur'], ['Krawczyk', 'Krawczyk'], ['Piotrowski', 'Piotrowska'], ['Grabowski', 'Grabowska'], ['Pawlak', 'Pawlak']];

export const strip = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
export const slug = (s: string) => strip(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
export const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
export const date = (r: Rng) => `${1 + Math.floor(r() * 28)}.${String(1 + Math.floor(r() * 12)).padStart(2, '0')}.${2021 + Math.floor(r() * 4)}`;
export const person = (r: Rng) => `${pick(r, FIRST)} ${pick(r, LAST)}`;
/** A person with a gender, so the first person singular agrees ("zwróciłam się" / "zwróciłem się"). */
export function gperson(r: Rng): { name: string; f: boolean; first: string } {
  const f = r() < 0.5;
  const first = pick(r, f ? FIRST_F : FIRST_M);
  const [m, w] = pick(r, LAST_MF);
  return { name: `${first} ${f ? w : m}`, f, first };
}
/** "zwróciłem" / "zwróciłam": pass the masculine and the feminine form. */
export const g = (f: boolean, m: string, w: string) => (f ? w : m);

export function officeOf(t: Town) {
  return t.kind === 'gmina'
    ? { head: `Wójt Gminy ${t.nom}`, headGen: `Wójta Gminy ${t.nom}`, headDat: `Wójtowi Gminy ${t.nom}`, council: `Rada Gminy ${t.nom}`, councilGen: `Rady Gminy ${t.nom}`, office: `Urząd Gminy ${t.nom}`, officeLoc: `Urzędzie Gminy ${t.nom}`, chair: `Przewodniczący Rady Gminy ${t.nom}`, gmina: `Gmina ${t.nom}`, gminaGen: `Gminy ${t.nom}`, gminaLoc: `gminie ${t.nom}` }
    : { head: `Burmistrz ${t.gen}`, headGen: `Burmistrza ${t.gen}`, headDat: `Burmistrzowi ${t.gen}`, council: `Rada Miejska w ${t.loc}`, councilGen: `Rady Miejskiej w ${t.loc}`, office: `Urząd Miejski w ${t.loc}`, officeLoc: `Urzędzie Miejskim w ${t.loc}`, chair: `Przewodniczący Rady Miejskiej w ${t.loc}`, gmina: `Gmina ${t.nom}`, gminaGen: `Gminy ${t.nom}`, gminaLoc: `gminie ${t.nom}` };
}

/** Far-away towns a mass mailer signs from (never one of TOWNS). */
export const FAR_TOWNS = ['Szczecin', 'Gdynia', 'Olsztyn', 'Zielona Góra', 'Rzeszów', 'Bielsko-Biała', 'Toruń', 'Kielce', 'Legnica', 'Suwałki', 'Zamość', 'Kalisz', 'Warszawa', 'Kraków', 'Opole'];

export function typos(r: Rng, s: string): string {
  return s.replace(/\b(\p{L}{5,})\b/gu, (w) => (r() < 0.03 ? w.slice(0, 2) + w[3] + w[2] + w.slice(4) : w));
}

/** The text as an office's registry receives an e-mail: headers, registry stamp, warning banner. */
export function wrap(r: Rng, text: string, from: string, town: string): string {
  return [
    `Od: ${from}`,
    `Wysłano: ${date(r)} ${8 + Math.floor(r() * 9)}:${10 + Math.floor(r() * 49)}`,
    `Do: sekretariat@${slug(town)}.example.pl`,
    `Temat: ${pick(r, ['Petycja', 'petycja', 'Wniosek', 'Pismo', 'Sprawa'])}`,
    '',
    `Data wpływu: ${2021 + Math.floor(r() * 4)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    `Nr: KC.${100 + Math.floor(r() * 900)}.${2021 + Math.floor(r() * 4)}`,
    ((clerk) => (clerk.f ? `Przyjęła: ${clerk.name}${r() < 0.5 ? ' - Kancelaria' : ''}` : `Przyjął: ${clerk.name}`))(gperson(r)),
    '**** OSTRZEŻENIE ****',
    'Ten e-mail pochodzi spoza organizacji. Nie klikaj łączy ani nie otwieraj załączników, chyba że rozpoznasz nadawcę i wiesz, że zawartość jest bezpieczna.',
    '',
    text,
    '',
    r() < 0.5 ? 'Czy na pewno musisz drukować tę wiadomość? Pomyśl o środowisku.' : '',
  ].join('\n');
}

/** A number with its noun in the right Polish form: count(3, 'podpis', 'podpisy', 'podpisów'). */
export function count(n: number, one: string, few: string, many: string): string {
  const tens = n % 100;
  const units = n % 10;
  const form = n === 1 ? one : units >= 2 && units <= 4 && (tens < 12 || tens > 14) ? few : many;
  return `${n} ${form}`;
}
export const podpisy = (n: number) => count(n, 'podpis', 'podpisy', 'podpisów');
