/**
 * Hard genuine petitions for the project's corpus, written by the project: residents' petitions
 * that share a form with mass mailings yet are about a place in this gmina. Residents who cite
 * the law densely, who hand the council a ready draft resolution on a local matter, who reuse a
 * petition-site template with their own town and street filled in, who write two sentences, who
 * mention a national law but ask about their own village. Each names local specifics the way real
 * ones do: the street, the village, the school, the parcel, their own gmina in the body.
 */
import { pick, type Rng } from '../lib/generate-petitions.js';
import { date, g, gperson, int, podpisy, officeOf, STREETS, TOWNS, VILLAGES, type Street, type Town } from './places.js';

export interface Ctx {
  r: Rng;
  t: Town;
  o: ReturnType<typeof officeOf>;
  st: Street;
  /** a village of the gmina: [nominative, locative, genitive] */
  v: [string, string, string];
  p: ReturnType<typeof gperson>;
  /** the school's name in the genitive: "Szkoły Podstawowej nr 2 w Łasku" */
  school: string;
  parcel: string;
  house: number;
  postal: string;
  when: string;
}

export interface HardMatter {
  matter: string;
  write: (c: Ctx) => string;
}

export function context(r: Rng): Ctx {
  const t = pick(r, TOWNS);
  return {
    r, t, o: officeOf(t), st: pick(r, STREETS), v: pick(r, VILLAGES), p: gperson(r),
    school: `Szkoły Podstawowej nr ${int(r, 1, 4)} ${pick(r, ['im. Marii Konopnickiej', 'im. Jana Pawła II', 'im. Tadeusza Kościuszki', 'im. Orła Białego', ''])} w ${t.loc}`.replace('  ', ' '),
    parcel: `${int(r, 12, 980)}/${int(r, 1, 14)}`,
    house: int(r, 1, 120),
    postal: `${int(r, 10, 99)}-${String(int(r, 0, 999)).padStart(3, '0')}`,
    when: date(r),
  };
}

/** A letter: place and date, addressee, title, paragraphs, closing, signature. */
function letter(c: Ctx, x: { to?: string[]; title?: string[]; paras: Array<string | false>; sign: string; greet?: string[] }): string {
  const { r, t, o } = c;
  return [
    r() < 0.8 ? `${t.nom}, ${c.when} r.` : '',
    '',
    pick(r, x.to ?? [o.council, `${o.chair}`, `${o.head}\n${o.council}`, `Do ${o.councilGen}\nza pośrednictwem ${o.headGen}`]),
    '',
    pick(r, x.title ?? ['PETYCJA', 'Petycja', '']),
    '',
    x.greet ? pick(r, x.greet) : '',
    '',
    ...x.paras.filter((p): p is string => !!p).flatMap((p) => [p, '']),
    pick(r, ['Z poważaniem', 'Z wyrazami szacunku', 'Z góry dziękujemy za pozytywne rozpatrzenie']),
    x.sign,
  ].join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Each copy is its own author's wording: a few phrases change per petition, each with even odds. */
const REWORDINGS: Array<[RegExp, string[]]> = [
  [/\bWnosimy o\b/, ['Zwracamy się z prośbą o', 'Wnosimy uprzejmie o']],
  [/\bProsimy o\b/, ['Uprzejmie prosimy o', 'Zwracamy się o', 'Bardzo prosimy o']],
  [/\bZgodnie z art\./, ['Stosownie do art.', 'W myśl art.', 'Według art.']],
  [/\bW dniu\b/, ['Dnia', 'W dniu']],
  [/\bod lat\b/, ['od wielu lat', 'od dawna']],
  [/\bNie zgadzamy się z tym stanowiskiem\b/, ['Nie podzielamy tego stanowiska', 'Takie stanowisko jest naszym zdaniem błędne']],
  [/\bDo petycji dołączamy\b/, ['W załączeniu przekazujemy', 'Załączamy']],
];
export function reword(r: Rng, text: string): string {
  let out = text;
  for (const [re, alts] of REWORDINGS) if (r() < 0.5) out = out.replace(re, pick(r, alts));
  return out;
}

const addr = (c: Ctx) => `ul. ${c.st.nom} ${c.house}, ${c.postal} ${c.t.nom}`;
const ifr = (r: Rng, p: number, s: string) => (r() < p ? s : false);

export const HARD_MATTERS: HardMatter[] = [
  {
    matter: 'law-dense-road-repair',
    write: (c) => letter(c, {
      title: ['PETYCJA', `Petycja w sprawie remontu nawierzchni ul. ${c.st.obl}`],
      paras: [
        `Działając na podstawie art. 63 Konstytucji Rzeczypospolitej Polskiej, art. 2 ust. 1–3 oraz art. 4 ust. 1 i 2 ustawy z dnia 11 lipca 2014 r. o petycjach (t.j. Dz. U. z 2018 r. poz. 870), w związku z art. 7 ust. 1 pkt 2 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym (t.j. Dz. U. z 2024 r. poz. 1465 ze zm.), ${g(c.p.f, 'jako mieszkaniec', 'jako mieszkanka')} ul. ${c.st.obl} w ${c.t.loc} wnoszę petycję w interesie publicznym mieszkańców tej ulicy.`,
        `Przedmiot petycji: remont nawierzchni drogi gminnej — ul. ${c.st.obl} na odcinku od skrzyżowania z ul. ${pick(c.r, STREETS.filter((s) => s !== c.st)).acc} do posesji nr ${c.house + int(c.r, 10, 40)}, położonej na działce ewidencyjnej nr ${c.parcel}, obręb ${c.t.nom}.`,
        `Zgodnie z art. 19 ust. 2 pkt 4 oraz art. 20 pkt 4 ustawy z dnia 21 marca 1985 r. o drogach publicznych zarządcą dróg gminnych jest ${c.o.head.replace('Burmistrz', 'burmistrz').replace('Wójt', 'wójt')}, do którego obowiązków należy utrzymanie nawierzchni. Ubytki mają głębokość do 15 cm, a w ${c.r() < 0.5 ? 'marcu' : 'listopadzie'} doszło tu do uszkodzenia dwóch samochodów, co zgłaszaliśmy pismem z dnia ${date(c.r)} (znak sprawy: IK.7226.${int(c.r, 2, 90)}.${2021 + int(c.r, 0, 3)}).`,
        ifr(c.r, 0.6, 'Zgodnie z art. 10 ust. 1 ustawy o petycjach proszę o rozpatrzenie petycji bez zbędnej zwłoki, nie później niż w terminie 3 miesięcy, a w razie przekazania jej według właściwości — o zawiadomienie mnie o tym na podstawie art. 6 ust. 1 ustawy.'),
        ifr(c.r, 0.5, 'Wyrażam zgodę na publikację danych osobowych podmiotu wnoszącego petycję na stronie internetowej urzędu (art. 4 ust. 3 ustawy o petycjach).'),
      ],
      sign: `${c.p.name}\n${addr(c)}`,
    }),
  },
  {
    matter: 'law-dense-sewer-connection',
    write: (c) => letter(c, {
      to: [c.o.council, `${c.o.head}`, `${c.o.chair}\n${c.o.head}`],
      title: ['Petycja wraz z ponagleniem', 'PETYCJA w trybie ustawy o petycjach', 'Petycja'],
      paras: [
        `My, niżej podpisani mieszkańcy ${c.r() < 0.5 ? `miejscowości ${c.v[0]}` : `ul. ${c.st.obl} w ${c.t.loc}`}, na podstawie art. 63 Konstytucji RP oraz art. 2 ustawy o petycjach wnosimy o dokończenie budowy sieci kanalizacji sanitarnej na odcinku objętym projektem z ${int(c.r, 2015, 2020)} r. oraz o wydanie warunków przyłączenia dla ${int(c.r, 6, 31)} posesji.`,
        `Wnioski o wydanie warunków przyłączenia złożyliśmy ${date(c.r)} r. Do dziś nie otrzymaliśmy ani warunków, ani odmowy. Przypominamy, że zgodnie z art. 35 § 1 i § 3 Kodeksu postępowania administracyjnego sprawa powinna być załatwiona bez zbędnej zwłoki, nie później niż w ciągu miesiąca, a o każdym przypadku niezałatwienia sprawy w terminie organ ma obowiązek zawiadomić stronę (art. 36 § 1 k.p.a.).`,
        `Zgodnie z art. 3 ust. 1 ustawy z dnia 7 czerwca 2001 r. o zbiorowym zaopatrzeniu w wodę i zbiorowym odprowadzaniu ścieków zbiorowe odprowadzanie ścieków jest zadaniem własnym gminy, a przedsiębiorstwo wodociągowo-kanalizacyjne jest obowiązane przyłączyć nieruchomość, jeżeli istnieją techniczne warunki (art. 15 ust. 1 tej ustawy). Kolektor biegnie ${int(c.r, 30, 200)} metrów od naszych domów.`,
        ifr(c.r, 0.5, `Niezależnie od powyższego, na podstawie art. 37 § 1 k.p.a., wnosimy ponaglenie w sprawach wniosków o warunki przyłączenia, a na podstawie art. 241 k.p.a. wnosimy o usprawnienie pracy ${c.t.kind === 'gmina' ? 'Gminnego Zakładu Komunalnego' : 'Miejskiego Przedsiębiorstwa Wodociągów i Kanalizacji'} w ${c.t.loc}.`),
        `Do petycji dołączamy listę ${int(c.r, 14, 60)} podpisów oraz kopie złożonych wniosków.`,
      ],
      sign: `W imieniu podpisanych:\n${c.p.name}\n${addr(c)}`,
    }),
  },
  {
    matter: 'draft-resolution-street-name',
    write: (c) => {
      const name = pick(c.r, ['Jaśminowa', 'Czereśniowa', 'Bursztynowa', 'Wrzosowa', 'Malinowa']);
      return letter(c, {
        title: ['Petycja w sprawie nadania nazwy ulicy', 'PETYCJA'],
        paras: [
          `My, mieszkańcy nowego osiedla domów jednorodzinnych w ${c.t.kind === 'gmina' ? c.v[1] : c.t.loc}, położonego przy ul. ${c.st.obl}, wnosimy o nadanie nazwy drodze wewnętrznej, przy której mieszkamy. Od czterech lat kurierzy, pogotowie i straż nie mogą trafić pod nasze adresy, a numeracja „${c.st.nom} ${c.house}A–${c.house}K” wprowadza wszystkich w błąd.`,
          `Na zebraniu mieszkańców w dniu ${date(c.r)} r. jednogłośnie wybraliśmy nazwę „${name}”. Właściciele działki, na której przebiega droga, wyrazili pisemną zgodę wymaganą art. 8 ust. 1a ustawy z dnia 21 marca 1985 r. o drogach publicznych (zgody w załączeniu).`,
          `Przedkładamy projekt uchwały:`,
          [
            `UCHWAŁA NR ……/……/${2023 + int(c.r, 0, 2)}`,
            c.o.councilGen.toUpperCase(),
            'z dnia …………………',
            `w sprawie nadania nazwy drodze wewnętrznej w ${c.t.kind === 'gmina' ? `miejscowości ${c.v[0]}` : c.t.loc}`,
            '',
            'Na podstawie art. 18 ust. 2 pkt 13 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym oraz art. 8 ust. 1a ustawy o drogach publicznych uchwala się, co następuje:',
            `§ 1. Drodze wewnętrznej położonej na działce nr ${c.parcel}, obręb ${c.t.kind === 'gmina' ? c.v[0] : c.t.nom}, odchodzącej od ul. ${c.st.obl}, nadaje się nazwę: ulica ${name}.`,
            '§ 2. Położenie ulicy przedstawia mapa stanowiąca załącznik do uchwały.',
            `§ 3. Wykonanie uchwały powierza się ${c.o.headDat}.`,
            '§ 4. Uchwała wchodzi w życie po upływie 14 dni od dnia ogłoszenia w Dzienniku Urzędowym Województwa.',
          ].join('\n'),
          ifr(c.r, 0.6, `Załączniki: mapa z zaznaczonym przebiegiem drogi, zgody właścicieli działki nr ${c.parcel}, lista ${int(c.r, 9, 40)} podpisów mieszkańców.`),
        ],
        sign: `W imieniu mieszkańców\n${c.p.name}`,
      });
    },
  },
  {
    matter: 'draft-resolution-zoning-plan',
    write: (c) => letter(c, {
      title: ['Petycja w sprawie przystąpienia do sporządzenia miejscowego planu zagospodarowania przestrzennego', 'PETYCJA'],
      paras: [
        `Jako właściciele działek nr ${c.parcel}, ${int(c.r, 12, 980)}/${int(c.r, 1, 9)} i ${int(c.r, 12, 980)} w obrębie ${c.t.kind === 'gmina' ? c.v[0] : c.t.nom}, położonych między ul. ${c.st.acc} a ${pick(c.r, ['torami kolejowymi', 'rzeką', 'lasem komunalnym', 'drogą powiatową'])}, wnosimy o podjęcie przez ${c.o.council.replace('Rada', 'Radę')} uchwały o przystąpieniu do sporządzenia miejscowego planu zagospodarowania przestrzennego dla tego terenu.`,
        `Teren nie jest objęty planem, a decyzje o warunkach zabudowy wydawane są w sąsiedztwie bez ładu: obok domów powstała hurtownia materiałów budowlanych, a kolejne wnioski dotyczą składu złomu. Zgodnie z art. 14 ust. 1 ustawy z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym to rada gminy podejmuje uchwałę o przystąpieniu do sporządzenia planu.`,
        ifr(c.r, 0.6, `Plan ogólny gminy ${c.t.nom}, nad którym trwają prace, przewiduje tu zabudowę mieszkaniową — prosimy, by plan miejscowy utrwalił to przeznaczenie.`),
        `Proponujemy uchwałę o treści:\n§ 1. Przystępuje się do sporządzenia miejscowego planu zagospodarowania przestrzennego dla terenu położonego w ${c.t.kind === 'gmina' ? `miejscowości ${c.v[0]}` : c.t.loc} pomiędzy ul. ${c.st.acc} a granicą działki nr ${c.parcel}.\n§ 2. Granice obszaru objętego planem określa załącznik graficzny.\n§ 3. Wykonanie uchwały powierza się ${c.o.headDat}.\n§ 4. Uchwała wchodzi w życie z dniem podjęcia.`,
      ],
      sign: `${c.p.name} i ${int(c.r, 4, 17)} pozostałych właścicieli (podpisy w załączeniu)\n${addr(c)}`,
    }),
  },
  {
    matter: 'draft-resolution-tax-relief',
    write: (c) => letter(c, {
      to: [c.o.council, c.o.chair],
      title: ['Petycja przedsiębiorców z Rynku', 'Petycja w sprawie zwolnienia z podatku od nieruchomości'],
      paras: [
        `My, przedsiębiorcy prowadzący sklepy i punkty usługowe ${c.r() < 0.5 ? `w kamienicach przy Rynku w ${c.t.loc}` : `przy ul. ${c.st.obl} w ${c.t.loc}`}, zwracamy się do Rady o podjęcie uchwały zwalniającej z podatku od nieruchomości na okres remontu ${c.r() < 0.5 ? 'płyty Rynku' : `ul. ${c.st.obl}`} budynki i ich części zajęte na działalność gospodarczą w strefie objętej pracami.`,
        `Roboty trwają od ${pick(c.r, ['kwietnia', 'maja', 'lipca', 'września'])}, dojazd jest zamknięty, a obroty spadły nam o połowę. Dwa lokale — ${pick(c.r, ['kwiaciarnia', 'lodziarnia', 'sklep obuwniczy'])} i ${pick(c.r, ['zakład szewski', 'kawiarnia', 'księgarnia'])} — już się zamknęły.`,
        `Podstawą takiej uchwały jest art. 7 ust. 3 ustawy z dnia 12 stycznia 1991 r. o podatkach i opłatach lokalnych; pomoc będzie pomocą de minimis. Projekt:\n§ 1. Zwalnia się od podatku od nieruchomości budynki lub ich części zajęte na prowadzenie działalności gospodarczej, położone ${c.r() < 0.5 ? 'przy Rynku' : `przy ul. ${c.st.obl}`} w ${c.t.loc}, w okresie od dnia rozpoczęcia do dnia zakończenia przebudowy.\n§ 2. Zwolnienie stanowi pomoc de minimis.\n§ 3. Wykonanie uchwały powierza się ${c.o.headDat}.`,
        ifr(c.r, 0.5, 'Jesteśmy gotowi przedstawić komisji budżetowej dane o spadku obrotów.'),
      ],
      sign: `${c.p.name} — ${pick(c.r, ['Drogeria', 'Sklep Spożywczy', 'Zakład Optyczny', 'Pracownia Krawiecka'])} „${pick(c.r, ['Pod Zegarem', 'Bratek', 'U Krysi', 'Centrum'])}”\noraz ${int(c.r, 6, 22)} innych przedsiębiorców (lista w załączeniu)`,
    }),
  },
  {
    matter: 'local-stance-post-office',
    write: (c) => {
      const what = pick(c.r, [['urzędu pocztowego', 'Zarządowi Poczty Polskiej S.A.'], ['kasy biletowej na stacji kolejowej', 'zarządom spółek PKP'], ['filii banku', 'zarządowi banku']] as const);
      return letter(c, {
        title: ['Petycja mieszkańców', `Petycja w sprawie likwidacji ${what[0]} w ${c.t.kind === 'gmina' ? c.v[1] : c.t.loc}`],
        paras: [
          `Wnosimy, by ${c.o.council} wyraziła stanowisko w sprawie planowanej likwidacji ${what[0]} w ${c.t.kind === 'gmina' ? c.v[1] : c.t.loc} przy ul. ${c.st.obl} i przekazała je ${what[1]}.`,
          `Z placówki korzystają codziennie dziesiątki osób, w większości emeryci, którzy odbierają tu świadczenia i opłacają rachunki. Najbliższa placówka będzie w ${pick(c.r, TOWNS.filter((x) => x !== c.t)).loc}, dokąd nie ma bezpośredniego autobusu.`,
          ifr(c.r, 0.6, `Proponujemy treść: „${c.o.council} wyraża sprzeciw wobec likwidacji ${what[0]} w ${c.t.kind === 'gmina' ? c.v[1] : c.t.loc} i apeluje o jej utrzymanie ze względu na potrzeby mieszkańców gminy”.`),
          ifr(c.r, 0.4, `Sprawę omawiano na ${c.t.kind === 'gmina' ? 'zebraniu wiejskim' : 'zebraniu osiedlowym'}, a podpisy zebrano w ciągu jednego tygodnia.`),
        ],
        sign: `${pick(c.r, c.t.kind === 'gmina' ? ['Mieszkańcy', 'Sołtys i mieszkańcy'] : ['Mieszkańcy', 'Rada Osiedla i mieszkańcy'])} — ${podpisy(int(c.r, 80, 640))} w załączeniu\nkontakt: ${c.p.name}, ${addr(c)}`,
      });
    },
  },
  {
    matter: 'site-template-street-trees',
    write: (c) => {
      const n = int(c.r, 6, 40);
      const tree = pick(c.r, [['lip', 'lipy'], ['klonów', 'klony'], ['kasztanowców', 'kasztanowce'], ['dębów', 'dęby']] as const);
      return [
        `PETYCJA: Ratujmy drzewa przy ul. ${c.st.obl} w ${c.t.loc}!`,
        '',
        `Do: ${c.o.head}, ${c.o.council}`,
        '',
        `Drzewa to płuca naszych miast. Każde dorosłe drzewo daje cień, chłodzi powietrze, zatrzymuje wodę i pył. Mimo to w wielu miejscach w Polsce wycina się je przy okazji remontów dróg, zamiast zmienić projekt.`,
        '',
        `Tak właśnie dzieje się u nas: projekt przebudowy ul. ${c.st.obl} w ${c.t.loc} przewiduje wycięcie ${n} ${tree[0]} rosnących wzdłuż chodnika, w tym drzew ${int(c.r, 60, 120)}-letnich.`,
        '',
        'My, niżej podpisani, domagamy się:',
        `1. wstrzymania wycinki ${tree[0]} przy ul. ${c.st.obl},`,
        '2. zmiany projektu tak, by ocalić zdrowe drzewa,',
        '3. publicznej prezentacji projektu dla mieszkańców.',
        '',
        c.r() < 0.6 ? `Na platformie zmienmy.to pod petycją: ${podpisy(int(c.r, 120, 1900))} (stan na ${c.when} r.). Wydruk listy podpisów w załączeniu.` : `Pod petycją: ${podpisy(int(c.r, 120, 1900))}, głównie mieszkańców ul. ${c.st.obl} i sąsiednich ulic.`,
        '',
        `Autorka/autor petycji: ${c.p.name}, ${c.t.nom}`,
      ].join('\n');
    },
  },
  {
    matter: 'site-template-school-closure',
    write: (c) => [
      `Petycja: NIE dla likwidacji ${c.t.kind === 'gmina' ? `szkoły w ${c.v[1]}` : c.school}!`,
      '',
      `Adresat: ${c.o.council}`,
      '',
      'Szkoła to serce każdej miejscowości. Tam, gdzie zamyka się szkołę, zamiera życie: młode rodziny wyjeżdżają, a dzieci spędzają godziny w autobusach.',
      '',
      `${c.o.head} zapowiedział${c.r() < 0.3 ? 'a' : ''} przedstawienie radnym projektu uchwały o zamiarze likwidacji ${c.t.kind === 'gmina' ? `Szkoły Podstawowej w ${c.v[1]}` : c.school}. Do szkoły chodzi ${int(c.r, 38, 110)} uczniów, budynek przeszedł termomodernizację w ${int(c.r, 2016, 2022)} r., a w najbliższych latach liczba dzieci w obwodzie wzrośnie.`,
      '',
      'Apelujemy do radnych o niepodejmowanie uchwały intencyjnej w sprawie likwidacji szkoły i o utrzymanie jej co najmniej w obecnym kształcie (art. 89 ustawy Prawo oświatowe wymaga zawiadomienia rodziców na 6 miesięcy przed likwidacją — nikt nas nie zawiadomił).',
      '',
      c.r() < 0.5 ? `Podpisz i udostępnij! Mamy już ${podpisy(int(c.r, 200, 1400))}.` : `Lista ${int(c.r, 200, 1400)} podpisów rodziców, absolwentów i mieszkańców w załączeniu.`,
      '',
      `Rada Rodziców ${c.t.kind === 'gmina' ? `Szkoły Podstawowej w ${c.v[1]}` : c.school}`,
    ].join('\n'),
  },
  {
    matter: 'short-street-notes',
    write: (c) => {
      const body = pick(c.r, [
        `Proszę o wymianę przepalonej lampy przed domem nr ${c.house} na ul. ${c.st.obl} w ${c.t.loc}. Nie świeci od miesiąca.`,
        `Mieszkańcy ul. ${c.st.obl} proszą o ustawienie kosza na śmieci przy przystanku. Śmieci leżą na trawniku.`,
        `Wnoszę o załatanie dziury w jezdni na wysokości posesji ${c.st.nom} ${c.house}. Kilka razy ${g(c.p.f, 'uszkodziłem', 'uszkodziłam')} tam oponę.`,
        `Prosimy o przycięcie krzaków przy skrzyżowaniu ul. ${c.st.obl} z drogą do ${c.v[2]}, bo zasłaniają widoczność.`,
        `Petycja: przywrócenie przystanku na żądanie w ${c.v[1]}. Od kiedy go zlikwidowano, dzieci chodzą 2 km poboczem.`,
        `W imieniu sąsiadów proszę o postawienie lustra drogowego przy wyjeździe z ul. ${c.st.obl}. Wyjazd jest niebezpieczny.`,
      ]);
      const sign = pick(c.r, [c.p.name, `${c.p.name}, ${c.st.nom} ${c.house}`, `${c.p.first} ${c.p.name.split(' ')[1]!.slice(0, 1)}.`, `${c.p.name}\ntel. ${int(c.r, 500, 799)} ${int(c.r, 100, 999)} ${int(c.r, 100, 999)}`]);
      return c.r() < 0.5 ? `${pick(c.r, ['Dzień dobry,', 'Szanowni Państwo,', ''])}\n${body}\n${pick(c.r, ['Pozdrawiam', 'Dziękuję', ''])}\n${sign}`.trim() : `${c.o.head}\n\n${body}\n\n${sign}`;
    },
  },
  {
    matter: 'single-resident-own-street',
    write: (c) => {
      const f = c.p.f;
      return letter(c, {
        to: [c.o.head, c.o.council, `Pan/Pani\n${c.o.head}`],
        title: ['Petycja', 'Petycja w sprawie odwodnienia', ''],
        greet: ['Szanowni Państwo,', ''],
        paras: [
          `Mieszkam przy ul. ${c.st.obl} ${c.house} w ${c.t.loc} od ${int(c.r, 1975, 2005)} roku. Po przebudowie drogi w ${int(c.r, 2019, 2023)} r. jezdnia jest wyżej niż mój wjazd i przy każdym większym deszczu woda z całej ulicy spływa na moją posesję i do piwnicy.`,
          `${g(f, 'Zgłaszałem', 'Zgłaszałam')} to ${int(c.r, 2, 5)} razy — telefonicznie, osobiście w ${c.o.officeLoc} i pismem z ${date(c.r)} r. ${g(f, 'Otrzymałem', 'Otrzymałam')} tylko odpowiedź, że sprawa „zostanie przeanalizowana”.`,
          `Wnoszę o wykonanie odwodnienia — kratki ściekowej lub korytka — na wysokości mojego wjazdu i sąsiedniej posesji nr ${c.house + 2}. ${g(f, 'Jestem gotów', 'Jestem gotowa')} pokazać skutki zalewania każdemu pracownikowi urzędu.`,
          ifr(c.r, 0.4, `${g(f, 'Sam', 'Sama')} nie ${g(f, 'byłem', 'byłam')} w stanie nic zrobić, bo to pas drogowy, a na jakiekolwiek prace potrzebna jest zgoda zarządcy drogi.`),
        ],
        sign: `${c.p.name}\n${addr(c)}`,
      });
    },
  },
  {
    matter: 'business-outdoor-seating-fee',
    write: (c) => letter(c, {
      to: [c.o.council, `${c.o.head}\n${c.o.council}`],
      title: ['Petycja restauratorów i właścicieli kawiarni', 'Petycja w sprawie opłat za zajęcie pasa drogowego'],
      paras: [
        `Jako właściciele lokali gastronomicznych przy ${c.r() < 0.5 ? 'Rynku' : `ul. ${c.st.obl}`} w ${c.t.loc} wnosimy o zmianę uchwały nr ${pick(c.r, ['XXIV', 'XXXI', 'XII', 'XLV'])}/${int(c.r, 100, 400)}/${int(c.r, 2016, 2022)} ${c.o.councilGen} w sprawie stawek opłat za zajęcie pasa drogowego, w części dotyczącej ogródków gastronomicznych (§ 3 ust. 2 pkt 4 uchwały).`,
        `Obecna stawka ${pick(c.r, ['2,00', '3,00', '1,50'])} zł za 1 m² dziennie jest jedną z najwyższych w powiecie, a ustawa o drogach publicznych (art. 40 ust. 5) dopuszcza stawki znacznie niższe. Sezon jest krótki, a ogródek to dla nas połowa obrotu latem.`,
        `Proponujemy obniżenie stawki do ${pick(c.r, ['0,50', '0,30', '1,00'])} zł za 1 m² w okresie od maja do września dla ogródków, które spełniają wymagania estetyczne określone w uchwale krajobrazowej.`,
        ifr(c.r, 0.5, `Ogródki ożywiają centrum ${c.t.gen} — bez nich wieczorami ${c.r() < 0.5 ? 'Rynek' : `ul. ${c.st.nom}`} jest pusta.`),
      ],
      sign: `${c.p.name}, ${pick(c.r, ['Kawiarnia', 'Pizzeria', 'Restauracja', 'Lodziarnia'])} „${pick(c.r, ['Ratuszowa', 'Pod Lipami', 'Stary Młyn', 'Bella'])}” s.c., NIP ${int(c.r, 600, 899)}-${int(c.r, 100, 999)}-${int(c.r, 10, 99)}-${int(c.r, 10, 99)}\noraz właściciele ${int(c.r, 3, 9)} innych lokali`,
    }),
  },
  {
    matter: 'wind-farm-near-village',
    write: (c) => letter(c, {
      title: ['Petycja mieszkańców sołectwa', 'Petycja w sprawie farmy wiatrowej'],
      paras: [
        `My, mieszkańcy wsi ${c.v[0]} w gminie ${c.t.nom}, dowiedzieliśmy się z obwieszczenia z dnia ${date(c.r)} r., że na działkach nr ${c.parcel} i sąsiednich, ok. ${int(c.r, 500, 800)} m od naszych domów, ma powstać farma wiatrowa złożona z ${int(c.r, 3, 9)} turbin.`,
        `Wiemy, że po zmianie ustawy z dnia 20 maja 2016 r. o inwestycjach w zakresie elektrowni wiatrowych minimalna odległość od zabudowy może wynosić 500 m, jeżeli przewiduje to miejscowy plan. Nie kwestionujemy ustawy — prosimy o to, co zależy od naszej gminy.`,
        `Wnosimy, by ${c.o.council} nie uchwalała planu miejscowego dopuszczającego turbiny bliżej niż 1000 m od zabudowań w ${c.v[1]}, a ${c.o.head.replace('Wójt', 'wójt').replace('Burmistrz', 'burmistrz')} zorganizował przed wyłożeniem projektu planu zebranie z mieszkańcami naszej wsi.`,
        ifr(c.r, 0.5, 'Nie jesteśmy przeciwni energii z wiatru — w gminie jest wiele miejsc dalej od domów, np. przy dawnym poligonie.'),
      ],
      sign: `Sołtys ${c.p.name}\noraz ${int(c.r, 40, 190)} mieszkańców ${c.v[2]} (podpisy w załączeniu)`,
    }),
  },
  {
    matter: 'hunting-near-village',
    write: (c) => letter(c, {
      to: [c.o.head, `${c.o.head}\n${c.o.council}`],
      title: ['Petycja', 'Petycja w sprawie polowań przy zabudowaniach'],
      paras: [
        `Mieszkańcy ${c.r() < 0.5 ? `przysiółka za lasem w ${c.v[1]}` : c.v[2]} zwracają się o pomoc w sprawie polowań zbiorowych, które odbywają się tuż przy naszych domach i przy drodze, którą dzieci chodzą na przystanek.`,
        `W dniu ${date(c.r)} r. śrut spadł na podwórko przy domu nr ${c.house}. Art. 42a ustawy Prawo łowieckie zabrania wykonywania polowania w odległości mniejszej niż 150 m od zabudowań mieszkalnych, a mimo to myśliwi stoją na skraju naszych pól.`,
        `Wnosimy o: 1) wystąpienie przez ${c.o.head.replace('Wójt', 'wójta').replace('Burmistrz', 'burmistrza')} do koła łowieckiego dzierżawiącego obwód nr ${int(c.r, 12, 240)} o wyłączenie z polowań zbiorowych pasa wokół ${c.v[2]}; 2) informowanie sołtysa o terminach polowań i wywieszanie ich na tablicy ogłoszeń w ${c.v[1]}; 3) ustawienie tablic ostrzegawczych przy drodze do lasu.`,
        ifr(c.r, 0.5, 'Na podstawie art. 27a ust. 1 Prawa łowieckiego zastrzeżenia do planu polowań może zgłaszać wójt (burmistrz) — prosimy, by z tego skorzystał.'),
      ],
      sign: `W imieniu mieszkańców\n${c.p.name}\n${c.v[0]} ${c.house}`,
    }),
  },
  {
    matter: 'farmland-parcel-lease',
    write: (c) => letter(c, {
      to: [c.o.council, c.o.chair],
      title: ['Petycja rolników', `Petycja w sprawie działki rolnej nr ${c.parcel}`],
      paras: [
        `Rolnicy z sołectwa ${c.v[0]} wnoszą o niesprzedawanie należącej do Gminy ${c.t.nom} działki rolnej nr ${c.parcel} o powierzchni ${int(c.r, 3, 24)},${int(c.r, 10, 99)} ha, położonej w obrębie ${c.v[0]}, którą ${c.o.head.replace('Wójt', 'wójt').replace('Burmistrz', 'burmistrz')} wystawił do przetargu w ogłoszeniu z dnia ${date(c.r)} r.`,
        `Działkę od lat dzierżawili miejscowi rolnicy. Przetarg nieograniczony oznacza, że kupi ją inwestor spoza gminy — w sąsiedniej wsi w ten sposób powstała ferma, na którą nikt się nie zgadzał. Ustawa o kształtowaniu ustroju rolnego chroni gospodarstwa rodzinne, ale gmina sama może zdecydować, czy i komu wydzierżawić swoją ziemię.`,
        `Prosimy o wycofanie działki z przetargu i wydzierżawienie jej w drodze przetargu ograniczonego do rolników prowadzących gospodarstwa na terenie gminy ${c.t.nom} (art. 40 ust. 2 pkt 2 ustawy o gospodarce nieruchomościami).`,
      ],
      sign: `${c.p.name}, ${c.v[0]} ${c.house}\noraz ${int(c.r, 8, 35)} rolników (podpisy w załączeniu)`,
    }),
  },
  {
    matter: 'solectwo-statute-fund',
    write: (c) => letter(c, {
      to: [c.o.head, c.o.council, `${c.o.head}\n${c.o.council}`],
      title: ['Petycja sołectwa', 'Petycja w sprawie wniosku do funduszu sołeckiego'],
      paras: [
        `Sołtys i Rada Sołecka sołectwa ${c.v[0]}, działając na podstawie § ${int(c.r, 8, 22)} ust. ${int(c.r, 1, 4)} Statutu Sołectwa ${c.v[0]} (uchwała ${c.o.councilGen} nr ${pick(c.r, ['VI', 'XIII', 'XXIX'])}/${int(c.r, 40, 260)}/${int(c.r, 2015, 2019)}) oraz art. 5 ust. 1–4 ustawy z dnia 21 lutego 2014 r. o funduszu sołeckim, wnoszą o uwzględnienie w projekcie budżetu gminy na ${int(c.r, 2024, 2026)} r. wniosku zebrania wiejskiego z dnia ${date(c.r)} r.`,
        `Zebranie wiejskie, prawomocne przy udziale ${int(c.r, 22, 70)} mieszkańców, przeznaczyło ${int(c.r, 24, 58)} ${int(c.r, 100, 999)},${int(c.r, 10, 99)} zł na ${pick(c.r, ['wymianę ogrodzenia i piłkochwytów na boisku przy świetlicy', 'zakup wyposażenia kuchni w świetlicy wiejskiej', 'utwardzenie placu przy remizie OSP', 'budowę wiaty grillowej przy stawie'])}. ${c.o.head} zwrócił wniosek, wskazując, że przedsięwzięcie nie mieści się w zadaniach własnych gminy.`,
        `Nie zgadzamy się z tym stanowiskiem: zadanie służy poprawie warunków życia mieszkańców i mieści się w zadaniach określonych w art. 7 ust. 1 pkt 10 ustawy o samorządzie gminnym (kultura fizyczna i turystyka). Zgodnie z art. 5 ust. 4 ustawy o funduszu sołeckim odrzucić można wniosek tylko w razie niespełnienia warunków ustawy, i to w terminie 7 dni.`,
      ],
      sign: `Sołtys sołectwa ${c.v[0]}\n${c.p.name}\nCzłonkowie Rady Sołeckiej (${int(c.r, 3, 4)} podpisy)`,
    }),
  },
  {
    matter: 'cemetery-fees-local',
    write: (c) => letter(c, {
      title: ['Petycja w sprawie opłat na cmentarzu komunalnym', 'PETYCJA'],
      paras: [
        `Mieszkańcy ${c.t.gen} wnoszą o zmianę cennika opłat za korzystanie z cmentarza komunalnego przy ul. ${c.st.obl}, wprowadzonego zarządzeniem ${c.o.headGen} z dnia ${date(c.r)} r.`,
        `Opłata za pozostawienie miejsca grobowego na kolejne 20 lat wzrosła z ${int(c.r, 300, 600)} zł do ${int(c.r, 1200, 2600)} zł, a za wjazd samochodem osoby niepełnosprawnej pobiera się ${int(c.r, 10, 30)} zł. Dla wielu emerytów to nie do udźwignięcia.`,
        `Zgodnie z art. 1 ust. 2 ustawy z dnia 31 stycznia 1959 r. o cmentarzach i chowaniu zmarłych utrzymanie cmentarza komunalnego jest zadaniem gminy, a opłaty mają ten cel pokrywać, nie przynosić zysku. Prosimy o przywrócenie poprzednich stawek i bezpłatny wjazd dla osób z orzeczeniem o niepełnosprawności.`,
        ifr(c.r, 0.5, `Wnosimy też o naprawę bramy od ul. ${c.st.obl} i uruchomienie kranu w starej części cmentarza.`),
      ],
      sign: `${c.p.name}\nw imieniu ${int(c.r, 60, 480)} podpisanych mieszkańców`,
    }),
  },
  {
    matter: 'stray-dogs-village-program',
    write: (c) => letter(c, {
      to: [c.o.council, c.o.head],
      title: ['Petycja', 'Petycja w sprawie bezdomnych psów', `Petycja mieszkańców ${c.v[2]}`],
      paras: [
        `Od kilku miesięcy po ${c.v[1]} i drodze do szkoły w ${c.t.loc} chodzi sfora ${int(c.r, 4, 9)} psów. Psy zagryzły kury u dwóch gospodarzy, a w ${pick(c.r, ['październiku', 'lutym', 'czerwcu'])} rzuciły się na dziecko wracające z przystanku.`,
        `Zgodnie z art. 11 ust. 1 i art. 11a ustawy z dnia 21 sierpnia 1997 r. o ochronie zwierząt zapewnienie opieki bezdomnym zwierzętom i ich wyłapywanie należy do zadań gminy, a program opieki nad zwierzętami bezdomnymi uchwala rada gminy co roku do 31 marca.`,
        `Wnosimy o: wyłapanie psów i przekazanie ich do schroniska, z którym gmina ma umowę; wpisanie do programu na kolejny rok całodobowego numeru telefonu do zgłaszania zdarzeń; sfinansowanie czipowania psów dla mieszkańców ${c.v[2]} i okolicznych wsi.`,
      ],
      sign: `${c.p.name}, ${c.v[0]} ${c.house}\ni ${int(c.r, 12, 60)} mieszkańców`,
    }),
  },
  {
    matter: 'waste-estate-statute',
    write: (c) => letter(c, {
      title: ['Petycja w sprawie odbioru odpadów na osiedlu', 'Petycja'],
      paras: [
        `Mieszkańcy bloków przy ul. ${c.st.obl} ${c.house}, ${c.house + 2} i ${c.house + 4} w ${c.t.loc} wnoszą o zmianę § ${int(c.r, 5, 14)} Regulaminu utrzymania czystości i porządku na terenie Gminy ${c.t.nom} w ten sposób, by odpady zmieszane z zabudowy wielolokalowej odbierano latem co najmniej dwa razy w tygodniu.`,
        `Altana śmietnikowa przy naszych blokach jest przepełniona już w trzecim dniu po odbiorze, śmieci leżą obok pojemników, a w czerwcu pojawiły się szczury. Administrator wspólnoty twierdzi, że nie może zamówić częstszego odbioru, bo wszystko określa uchwała rady.`,
        `Zgodnie z art. 4 ust. 2 pkt 3 ustawy z dnia 13 września 1996 r. o utrzymaniu czystości i porządku w gminach częstotliwość odbioru określa regulamin uchwalany przez radę gminy — dlatego kierujemy petycję do Rady.`,
      ],
      sign: `Zarząd Wspólnoty Mieszkaniowej ${c.st.nom} ${c.house}\n${c.p.name}\noraz mieszkańcy (${podpisy(int(c.r, 40, 200))})`,
    }),
  },
  {
    matter: 'school-extra-lessons',
    write: (c) => letter(c, {
      to: [c.o.head, `${c.o.head}\n${c.o.council}`, c.o.council],
      title: ['Petycja rodziców', 'PETYCJA Rady Rodziców'],
      paras: [
        `Rada Rodziców ${c.school} wnosi o zwiększenie przez organ prowadzący, tj. ${c.o.gmina.replace('Gmina', 'Gminę')}, liczby godzin do dyspozycji dyrektora w arkuszu organizacyjnym na rok szkolny ${((y) => `${y}/${y + 1}`)(int(c.r, 2024, 2026))}, z przeznaczeniem na ${pick(c.r, ['dodatkową godzinę języka angielskiego w klasach 4–8', 'naukę pływania w klasach 1–3', 'zajęcia wyrównawcze z matematyki', 'koło informatyczne i robotykę'])}.`,
        'Zgodnie z ramowymi planami nauczania godziny do dyspozycji dyrektora przydziela dyrektor, ale ich finansowanie zależy od organu prowadzącego, który zatwierdza arkusz organizacyjny (art. 110 ustawy Prawo oświatowe).',
        `Nasze dzieci osiągają na egzaminie ósmoklasisty wyniki poniżej średniej powiatu. W sąsiedniej szkole w ${pick(c.r, TOWNS.filter((x) => x !== c.t)).loc} takie zajęcia prowadzi się od trzech lat i wyniki wyraźnie się poprawiły.`,
        ifr(c.r, 0.4, 'Rodzice są gotowi częściowo pokryć koszt dowozu na basen ze składek Rady Rodziców.'),
      ],
      sign: `Przewodnicząca Rady Rodziców\n${c.p.name}`,
    }),
  },
  {
    matter: 'heating-prices-estate',
    write: (c) => letter(c, {
      title: ['Petycja mieszkańców osiedla', 'Petycja w sprawie cen ciepła'],
      paras: [
        `Jesteśmy mieszkańcami osiedla przy ul. ${c.st.obl} w ${c.t.loc}, ogrzewanego z kotłowni spółki ${c.t.kind === 'gmina' ? 'Gminne Przedsiębiorstwo Komunalne sp. z o.o.' : `Przedsiębiorstwo Energetyki Cieplnej sp. z o.o. w ${c.t.loc}`}, której jedynym wspólnikiem jest ${c.o.gmina}.`,
        `Od stycznia opłaty za ogrzewanie wzrosły w naszych mieszkaniach o ${int(c.r, 40, 110)}%. Wiemy, że ceny paliw i uprawnień do emisji zależą od przepisów krajowych i unijnych, ale kotłownia na osiedlu wciąż pali węglem, a modernizację zapowiada się od ${int(c.r, 2012, 2018)} roku.`,
        `Wnosimy, by Rada, wykonując uprawnienia właścicielskie gminy, zobowiązała zarząd spółki do przedstawienia do końca roku planu przejścia kotłowni przy ul. ${c.st.obl} na źródło gazowe lub pompy ciepła oraz do zwrócenia się o dofinansowanie tej inwestycji.`,
      ],
      sign: `${c.p.name}\nw imieniu mieszkańców bloków ${c.st.nom} ${c.house}–${c.house + 6}`,
    }),
  },
];
