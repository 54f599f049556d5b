/**
 * A seeded generator of petition-like Polish texts for benchmarks: templates (mass mailings) and
 * their variants as different offices receive them, and unrelated one-off petitions. The texts are
 * compositions of phrases, not real petitions; what matters for the fingerprint benchmark is the
 * edit model, which follows what campaigns really change between offices.
 */
export type Edit = 'addressee' | 'office' | 'date' | 'number' | 'reorder' | 'words10' | 'wrapper' | 'diacritics';
export const EDITS: Edit[] = ['addressee', 'office', 'date', 'number', 'reorder', 'words10', 'wrapper', 'diacritics'];

import { seededRandom } from '../../src/random.js';

export const rng = seededRandom;
export type Rng = ReturnType<typeof rng>;

/**
 * A stream of its own for each seed, for generating many texts (one per seed). `rng` is xorshift32:
 * one cycle through 2³² − 1 states, so every seed starts somewhere on the same sequence, and of
 * 200 000 seeds some thousands of pairs start within a few hundred draws of each other. Two
 * residents' petitions drawn from such a pair share long runs of words (true Jaccard of word pairs
 * 0.29–0.57 between texts of 83–213 shingles, in the bench's false hits), which a clearinghouse
 * rightly calls near-duplicates. This is sfc32 (128 bits of state, a counter among them), seeded
 * through splitmix32.
 */
export function stream(seed: number): Rng {
  let m = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x100000000) >>> 0, 0x85ebca6b);
  const split = () => {
    m = (m + 0x9e3779b9) | 0;
    let t = m ^ (m >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) | 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x100000000;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const TOWNS = ['Zalesie', 'Brzozówka', 'Dąbrowa', 'Stare Pole', 'Wolbórz', 'Kutno', 'Łask', 'Sieradz', 'Opatów', 'Żnin', 'Gniezno', 'Koło', 'Turek', 'Ełk', 'Pisz', 'Łomża', 'Sokółka', 'Hajnówka', 'Mielec', 'Dębica', 'Ropczyce', 'Bochnia', 'Wieliczka', 'Myślenice', 'Limanowa', 'Gorlice', 'Krosno', 'Sanok', 'Ustrzyki', 'Lesko'];
const STREETS = ['Lipowa', 'Kwiatowa', 'Szkolna', 'Polna', 'Leśna', 'Ogrodowa', 'Słoneczna', 'Krótka', 'Długa', 'Kościelna', 'Parkowa', 'Łąkowa', 'Graniczna', 'Sportowa', 'Młyńska'];
const SUBJECTS = ['Mieszkańcy ulicy', 'Rodzice uczniów', 'Członkowie stowarzyszenia', 'Rada sołecka', 'Właściciele działek', 'Przedsiębiorcy z rynku', 'Seniorzy z osiedla', 'Działkowcy', 'Nauczyciele szkoły', 'Kierowcy dojeżdżający'];
const NEEDS = ['naprawę chodnika', 'budowę oświetlenia', 'wyznaczenie przejścia dla pieszych', 'utworzenie placu zabaw', 'remont świetlicy', 'dodatkowy kurs autobusu', 'wycinkę suchych drzew', 'nasadzenia drzew', 'montaż progów zwalniających', 'budowę kanalizacji', 'wydłużenie godzin pracy biblioteki', 'utworzenie wybiegu dla psów', 'naprawę przepustu', 'odśnieżanie drogi', 'ustawienie ławek', 'zmianę organizacji ruchu', 'budowę parkingu', 'modernizację boiska', 'remont przystanku', 'likwidację dzikiego wysypiska'];
const REASONS = ['dzieci chodzą tędy codziennie do szkoły', 'po deszczu woda stoi na całej szerokości drogi', 'wieczorem jest zupełnie ciemno', 'samochody jeżdżą znacznie szybciej niż pozwalają przepisy', 'starsze osoby nie mają gdzie odpocząć', 'od lat nikt nie zajmował się tym miejscem', 'w okolicy przybyło wielu nowych mieszkańców', 'obecny stan zagraża bezpieczeństwu', 'autobus odjeżdża zbyt wcześnie', 'brakuje miejsca do spotkań', 'hałas nie pozwala spać', 'korzenie podnoszą płyty chodnika'];
const CLOSINGS = ['Prosimy o pozytywne rozpatrzenie petycji.', 'Liczymy na szybką odpowiedź.', 'Z poważaniem, w imieniu mieszkańców.', 'Jesteśmy gotowi pomóc przy realizacji.', 'W załączeniu lista podpisów.', 'Prosimy o informację o terminie realizacji.'];
const VENDOR_TOPICS = ['automatyzacji procesów', 'cyberbezpieczeństwa', 'oświetlenia LED', 'płatności bezgotówkowych', 'dostępności cyfrowej', 'fotowoltaiki', 'e-usług', 'obiegu dokumentów', 'monitoringu miejskiego', 'defibrylatorów AED', 'doradztwa funduszy unijnych', 'szkoleń dla urzędników', 'windykacji należności', 'termomodernizacji', 'gospodarki odpadami'];
const VENDOR_LINES = [
  'Zwracamy się z propozycją wdrożenia rozwiązań w zakresie {t} w Państwa jednostce.',
  'Nasze doświadczenie obejmuje współpracę z wieloma samorządami w zakresie {t}.',
  'Proponujemy bezpłatną analizę potrzeb urzędu w obszarze {t}.',
  'Wdrożenie pozwala obniżyć koszty nawet o {n}% w ciągu roku.',
  'Prosimy o wskazanie osoby odpowiedzialnej za obszar {t} wraz z numerem telefonu.',
  'Wnosimy o udzielenie informacji, czy urząd planuje działania w zakresie {t}.',
  'W przypadku odpowiedzi przeczącej prosimy o uzasadnienie w kilku zdaniach.',
  'Zapraszamy do umówienia spotkania online z naszym doradcą.',
  'Finansowanie projektu może pochodzić ze środków zewnętrznych bez wkładu własnego.',
  'Dotychczasowe wdrożenia potwierdzają wysoką skuteczność proponowanych rozwiązań.',
  'Wnosimy o opublikowanie niniejszej petycji na stronie internetowej urzędu.',
  'Mamy nadzieję na owocną współpracę w zakresie {t}.',
  'Raport z przeprowadzonych analiz zostanie udostępniony wszystkim zainteresowanym gminom.',
  'Zgodnie z obowiązującymi przepisami urząd powinien wdrożyć odpowiednie procedury.',
  'Szczegółowe informacje przekażemy na spotkaniu z przedstawicielami urzędu.',
];
const FILLER = ['w szczególności', 'naszym zdaniem', 'jak wynika z doświadczeń', 'co istotne', 'w ocenie wnioskodawcy', 'przede wszystkim', 'dodatkowo', 'w konsekwencji', 'niezależnie od powyższego', 'jednocześnie'];
const REPLACEMENT_WORDS = ['ponadto', 'również', 'szczególnie', 'niniejszym', 'odpowiednio', 'obecnie', 'istotnie', 'wyraźnie', 'stosownie', 'zasadniczo'];

const fill = (r: Rng, s: string) => s.replace('{t}', pick(r, VENDOR_TOPICS)).replace('{n}', String(10 + Math.floor(r() * 80)));

/** Every word the phrase pools use: the vocabulary of generated sentences. */
const VOCABULARY = [
  ...new Set(
    [...TOWNS, ...STREETS, ...SUBJECTS, ...NEEDS, ...REASONS, ...CLOSINGS, ...VENDOR_TOPICS, ...VENDOR_LINES, ...FILLER, ...REPLACEMENT_WORDS]
      .join(' ')
      .toLowerCase()
      .split(/[^a-ząćęłńóśźż]+/)
      .filter((w) => w.length > 1),
  ),
];

/** A word drawn with a Zipf-like law: frequent words recur across texts, as in real language. */
function zipfWord(r: Rng): string {
  const i = Math.floor(VOCABULARY.length * Math.pow(r(), 2.2));
  return VOCABULARY[i]!;
}

function sentence(r: Rng): string {
  const n = 7 + Math.floor(r() * 12);
  const words = Array.from({ length: n }, () => zipfWord(r));
  return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
}

/**
 * A mass template: 8–20 paragraphs of the template's own sentences, a fifth of them boilerplate
 * lines that many vendors share (so different templates overlap a little, as real ones do).
 */
export function makeTemplate(r: Rng): string[] {
  const paragraphs: string[] = [];
  const n = 8 + Math.floor(r() * 13);
  for (let i = 0; i < n; i++) {
    const sentences = 1 + Math.floor(r() * 3);
    const p: string[] = [];
    for (let j = 0; j < sentences; j++) p.push(r() < 0.2 ? fill(r, pick(r, VENDOR_LINES)) : sentence(r));
    paragraphs.push(p.join(' '));
  }
  return paragraphs;
}

/**
 * Residents write about their own matters in their own words: the phrase pools' vocabulary (a few
 * hundred words), a long tail of words of their own (pseudo-words from Polish syllables, fixed for
 * a run), and their request put in one of several ways. Built from the pools and one fixed opening
 * sentence alone, two unrelated residents' petitions shared far more word pairs than two real
 * regular petitions do (Jaccard of word-pair shingles, median 0.019 and p99 0.066, against 0.005
 * and 0.032 over the real corpus's 30 regular petitions; 3 of 4.5 million generated pairs at 0.2 or
 * more). Now: median 0.013, p99 0.053, none of 4.5 million pairs at 0.2. (The pairs among 200 000
 * that shared 30–60 % came mostly from `rng`'s overlapping streams: use `stream` for many texts.)
 * The town is the office's own (`townOf`) where the office is known.
 */
const SYLLABLES = ['ba', 'ce', 'dro', 'gi', 'ka', 'le', 'mi', 'no', 'pa', 'ra', 'se', 'to', 'wy', 'za', 'ży', 'ło', 'szcz', 'prze', 'krą', 'śnie', 'dzia', 'ję', 'chu', 'bór', 'nik', 'ska', 'wie', 'sło', 'rę', 'ty'];
const TAIL = Array.from(new Set(Array.from({ length: 40_000 }, (_, i) => {
  const r = rng(900_000 + i);
  return Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(r, SYLLABLES)).join('');
})));

const capital = (w: string) => `${w[0]!.toUpperCase()}${w.slice(1)}`;

function localSentence(r: Rng): string {
  const n = 7 + Math.floor(r() * 12);
  const words = Array.from({ length: n }, () => (r() < 0.5 ? pick(r, TAIL) : zipfWord(r)));
  return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
}

/**
 * The town of office `i` (of thousands): each office is its own gmina, so residents of different
 * offices name different towns, as they do (the bench once gave 2 500 offices 30 names).
 */
export function townOf(office: number): string {
  const r = rng(700_000 + office);
  return capital(Array.from({ length: 2 + Math.floor(r() * 2) }, () => pick(r, SYLLABLES)).join('')) + pick(r, ['', 'ów', 'ice', 'owo', 'no', 'in', ' Wielkie', ' Dolne']);
}

/** A one-off local petition, in `town` (drawn from a few dozen names when not given). */
export function makeLocal(r: Rng, town = pick(r, TOWNS)): string {
  const street = pick(r, STREETS);
  const lines = [`${town}, ${1 + Math.floor(r() * 28)}.${1 + Math.floor(r() * 12)}.2024`, `Wójt Gminy ${town}`, ''];
  const paras = 2 + Math.floor(r() * 5);
  // residents put the same request in many ways
  const opening = pick(r, [
    () => `${pick(r, SUBJECTS)} ${street} w miejscowości ${town} wnoszą o ${pick(r, NEEDS)}, ponieważ ${pick(r, REASONS)}.`,
    () => `Zwracamy się z prośbą o ${pick(r, NEEDS)} przy ulicy ${street}. ${capital(pick(r, REASONS))}.`,
    () => `Jako ${pick(r, SUBJECTS).toLowerCase()} prosimy o ${pick(r, NEEDS)}.`,
    () => `Od dawna ${pick(r, REASONS)}, dlatego składamy petycję w sprawie ${pick(r, NEEDS)}.`,
    () => `Petycja dotyczy ulicy ${street}: ${pick(r, REASONS)}.`,
    () => `W imieniu sąsiadów z ul. ${street} ${1 + Math.floor(r() * 60)} piszę w sprawie, która nas niepokoi.`,
  ]);
  lines.push(opening());
  for (let i = 0; i < paras; i++) {
    const n = 1 + Math.floor(r() * 3);
    lines.push(Array.from({ length: n }, () => localSentence(r)).join(' '));
  }
  const closing = r() < 0.6 ? pick(r, CLOSINGS) : localSentence(r);
  lines.push('', closing, `${pick(r, ['Anna', 'Jan', 'Ewa', 'Piotr', 'Maria', 'Tomasz', 'Zofia', 'Krzysztof', 'Barbara', 'Marek', 'Jadwiga', 'Andrzej'])} ${capital(pick(r, TAIL))}${pick(r, ['ski', 'ska', 'czyk', 'ak', 'ewicz', ''])}`);
  return lines.join('\n');
}

/** One office's copy of a template, with the given edits applied. */
export function makeVariant(r: Rng, template: string[], edits: ReadonlySet<Edit>, templateId: number): string {
  let paragraphs = [...template];
  const town = pick(r, TOWNS);
  const header = [
    `Petycja nr ${edits.has('number') ? `${templateId}/${Math.floor(r() * 1000)}` : `${templateId}/1`} z dnia ${edits.has('date') ? `${1 + Math.floor(r() * 28)}.${1 + Math.floor(r() * 12)}.2024` : '1.03.2024'}`,
    edits.has('addressee') ? `${pick(r, ['Wójt', 'Burmistrz', 'Prezydent Miasta', 'Rada Gminy'])} ${town}` : 'Kierownik Jednostki Samorządu Terytorialnego',
    edits.has('office') ? `Urząd Gminy ${town}, ul. ${pick(r, STREETS)} ${1 + Math.floor(r() * 40)}` : 'Urząd',
  ];
  if (edits.has('reorder')) {
    for (let i = paragraphs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [paragraphs[i], paragraphs[j]] = [paragraphs[j]!, paragraphs[i]!];
    }
  }
  if (edits.has('words10')) {
    paragraphs = paragraphs.map((p) =>
      p
        .split(' ')
        .map((w) => (r() < 0.1 ? pick(r, REPLACEMENT_WORDS) : w))
        .join(' '),
    );
  }
  let text = [...header, '', ...paragraphs].join('\n\n');
  if (edits.has('diacritics')) text = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
  if (edits.has('wrapper')) {
    text = [
      `Od: Biuro <biuro${templateId}@firma.example.pl>`,
      `Wysłano: ${1 + Math.floor(r() * 28)}.03.2024 09:${10 + Math.floor(r() * 49)}`,
      `Do: sekretariat@${town.toLowerCase()}.example.pl`,
      `Temat: Petycja ${templateId}`,
      '',
      'Data wpływu: 2024-03-04',
      `Nr: KC.${Math.floor(r() * 9000)}.2024`,
      '**** OSTRZEŻENIE ****',
      'Ten e-mail pochodzi spoza organizacji. Nie klikaj łączy ani nie otwieraj załączników.',
      '',
      text,
      '',
      'Czy na pewno musisz drukować tę wiadomość? Pomyśl o środowisku.',
    ].join('\n');
  }
  return text;
}
