/**
 * Petition texts for the clearinghouse tests, written for them: one campaign template that
 * offices receive with their own edits (addressee, gmina, date, numbering), a second campaign,
 * and residents' own petitions, each at one office.
 */
export interface OfficeEdit {
  addressee: string;
  gmina: string;
  date: string;
  number: number;
}

export function airCampaign(e: OfficeEdit): string {
  return `${e.addressee}
${e.gmina}, dnia ${e.date}

Petycja nr ${e.number}/2024 w sprawie przyjęcia uchwały o ochronie powietrza

Na podstawie art. 63 Konstytucji Rzeczypospolitej Polskiej oraz ustawy z dnia 11 lipca 2014 r. o petycjach wnosimy o podjęcie przez Radę Gminy ${e.gmina} uchwały wprowadzającej program wymiany przestarzałych kotłów węglowych na terenie gminy do końca 2027 roku.

Wnosimy również o utworzenie w urzędzie punktu konsultacyjnego, w którym mieszkańcy otrzymają pomoc przy wypełnianiu wniosków o dofinansowanie wymiany źródeł ciepła. Prosimy o zamieszczenie na stronie internetowej urzędu harmonogramu kontroli palenisk oraz o coroczne publikowanie raportu o jakości powietrza sporządzonego na podstawie pomiarów czujników.

Uzasadnienie: zanieczyszczenie powietrza pyłami zawieszonymi powoduje każdego roku tysiące przedwczesnych zgonów, a główną przyczyną smogu w mniejszych miejscowościach pozostaje niska emisja z domowych pieców. Samorządy, które przyjęły podobne programy, odnotowały wyraźną poprawę jakości powietrza już w ciągu trzech sezonów grzewczych.

Wyrażamy zgodę na opublikowanie petycji wraz z nazwą podmiotu wnoszącego na stronie internetowej urzędu.

Stowarzyszenie Czysty Oddech`;
}

export const OFFICE_EDITS: OfficeEdit[] = [
  { addressee: 'Szanowny Pan Wójt Gminy Zalesie', gmina: 'Zalesie', date: '6 maja 2024 r.', number: 17 },
  { addressee: 'Szanowna Pani Burmistrz Miasta i Gminy Brzozówka', gmina: 'Brzozówka', date: '7 maja 2024 r.', number: 18 },
  { addressee: 'Szanowny Pan Prezydent Miasta Dąbrowa', gmina: 'Dąbrowa', date: '9 maja 2024 r.', number: 23 },
  { addressee: 'Wójt Gminy Stare Pole', gmina: 'Stare Pole', date: '13 maja 2024 r.', number: 31 },
];

export function youthCouncil(gmina: string, n: number): string {
  return `Do Rady Gminy ${gmina}

Petycja nr ${n} w sprawie powołania młodzieżowej rady gminy

Działając w imieniu ogólnopolskiej inicjatywy na rzecz udziału młodzieży w życiu publicznym, zwracamy się z prośbą o podjęcie uchwały o utworzeniu młodzieżowej rady gminy oraz nadaniu jej statutu. Młodzieżowa rada pozwala uczniom szkół podstawowych i średnich poznać działanie samorządu, zgłaszać własne pomysły i opiniować projekty uchwał dotyczące młodych mieszkańców. Prosimy także o wyznaczenie w urzędzie opiekuna rady oraz o zabezpieczenie w budżecie skromnych środków na jej działalność, w tym na szkolenia i wyjazdy studyjne. Do petycji dołączamy wzór statutu przygotowany przez prawników inicjatywy, który można dostosować do potrzeb gminy. Wyrażamy zgodę na publikację petycji na stronie internetowej urzędu.`;
}

/** Residents' own petitions: one per office, different matters, different words. */
export const RESIDENTS: string[] = [
  `Szanowny Panie Wójcie, my, mieszkańcy ulicy Lipowej w Zalesiu, prosimy o naprawę chodnika na odcinku od sklepu spożywczego do przystanku autobusowego. Płyty są popękane i podniesione przez korzenie starych lip, a zimą tworzą się tam zamarznięte kałuże. W ubiegłym miesiącu przewróciła się tam nasza sąsiadka, pani Helena, i złamała nadgarstek. Codziennie chodzą tędy dzieci do szkoły oraz osoby starsze do ośrodka zdrowia. Pod petycją podpisało się czterdziestu dwóch mieszkańców, lista podpisów w załączeniu. Z poważaniem, Jan Kowalczyk, ul. Lipowa 14.`,
  `Do Burmistrza Brzozówki. Jako rodzice dzieci uczęszczających do przedszkola przy ulicy Ogrodowej zwracamy się o wydłużenie godzin jego pracy do siedemnastej trzydzieści. Większość z nas dojeżdża do pracy w mieście powiatowym i nie zdąży odebrać dzieci przed szesnastą trzydzieści, a autobus wraca dopiero po siedemnastej. Prosimy również o rozważenie dyżuru wakacyjnego w sierpniu, bo w zeszłym roku przedszkole było zamknięte przez cały miesiąc. Chętnie spotkamy się z dyrekcją i przedstawicielem urzędu. Podpisali rodzice z grupy Biedronki i Motylki, kontakt: Marta Zielińska.`,
  `Panie Prezydencie, mieszkańcy osiedla Słonecznego w Dąbrowie od trzech lat proszą o ustawienie ławek i kosza na śmieci przy stawie za blokiem numer siedem. Teren jest zadbany przez samych mieszkańców, którzy co wiosnę sprzątają brzegi i sadzą kwiaty, ale starsze osoby nie mają gdzie usiąść podczas spaceru. Wieczorami brakuje też oświetlenia ścieżki, więc prosimy o jedną lub dwie lampy przy wejściu od strony garaży. Jesteśmy gotowi pomóc przy pracach. W imieniu rady osiedla, Tadeusz Wróbel.`,
  `Szanowny Panie Wójcie, rolnicy z sołectwa Stare Pole proszą o pilne utwardzenie drogi dojazdowej do pól za remizą strażacką. Po każdym deszczu droga zamienia się w błoto, ciągniki grzęzną, a w czasie żniw nie da się przejechać kombajnem. Droga była kiedyś wysypana tłuczniem, ale od dziesięciu lat nikt jej nie naprawiał. Proponujemy, że sami rozwieziemy kruszywo, jeśli gmina je zakupi. Sołtys zwołał zebranie, na którym wszyscy obecni poparli tę prośbę. Z wyrazami szacunku, sołtys Stanisław Mazur wraz z mieszkańcami.`,
];

/** A text no other test uses: a request to a school's director about a library. */
export const LIBRARY = `Szanowna Pani Dyrektor, zwracamy się z prośbą o przywrócenie popołudniowych godzin otwarcia biblioteki szkolnej, która od września czynna jest tylko do trzynastej. Uczniowie dojeżdżający autobusem czekają na powrotny kurs ponad dwie godziny i nie mają gdzie odrobić lekcji w cieple i ciszy. Rodzice z rady rodziców zadeklarowali dyżury opiekuńcze we wtorki i czwartki, a kilku emerytowanych nauczycieli chętnie poprowadzi zajęcia czytelnicze. Prosimy również o zakup kilkunastu nowych lektur, ponieważ obecne egzemplarze są zniszczone i brakuje ich dla całej klasy. Będziemy wdzięczni za odpowiedź przed końcem semestru.`;

/** Another text no other test uses: a village asks for a bus shelter. */
export const BUS_SHELTER = `Szanowny Panie Wójcie, mieszkańcy wsi Kępa Wielka proszą o postawienie wiaty przystankowej przy skrzyżowaniu z drogą powiatową. Codziennie rano kilkanaścioro dzieci czeka tam na szkolny autobus, często w deszczu i na mrozie, bo kierowca przyjeżdża z opóźnieniem. Obecnie stoi tam jedynie słupek z rozkładem jazdy, a pobocze jest wąskie i nieoświetlone. Właściciel sąsiedniej działki zgodził się udostępnić kawałek gruntu pod wiatę, a rada sołecka może przeznaczyć na ten cel część funduszu sołeckiego. Prosimy o rozpatrzenie naszej prośby jeszcze przed zimą. W imieniu mieszkańców, sołtyska Barbara Nowicka.`;
