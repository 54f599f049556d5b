/** Petition texts for the mass-track tests, written for them (realistic Polish, no real persons). */

/** One copy of a citizens' campaign: the same letter, each signed by another resident. */
export function swimmingCopy(n: number, opts: { consent?: boolean; address?: boolean; addressee?: boolean } = {}): string {
  const people = ['Katarzyna Wójcik', 'Piotr Lewandowski', 'Agnieszka Kamińska', 'Marek Szymański', 'Ewa Dąbrowska', 'Tomasz Kozłowski', 'Joanna Jankowska', 'Paweł Mazur'];
  const streets = ['ul. Lipowa 4', 'ul. Polna 17/2', 'ul. Ogrodowa 9', 'ul. Słoneczna 21', 'ul. Krótka 3/8', 'ul. Leśna 40', 'ul. Szkolna 6', 'ul. Łąkowa 11'];
  const name = people[n % people.length]!;
  return `${opts.addressee === false ? '' : 'Rada Miejska w Opocznie\n\n'}Petycja w sprawie bezpłatnej nauki pływania dla uczniów klas trzecich

Na podstawie ustawy z dnia 11 lipca 2014 r. o petycjach wnoszę o zapewnienie wszystkim uczniom klas trzecich
szkół podstawowych prowadzonych przez gminę bezpłatnych zajęć nauki pływania na krytej pływalni miejskiej,
w wymiarze co najmniej piętnastu godzin w roku szkolnym, wraz z dowozem autobusem szkolnym.

Umiejętność pływania chroni życie. Co roku latem w zalewie i rzece toną dzieci, które nigdy nie miały okazji
nauczyć się pływać. Pływalnia stoi rano pusta, a koszt zajęć dla całego rocznika jest niewielki w porównaniu
z wydatkami na festyny. Proszę radnych o przyjęcie uchwały i zabezpieczenie środków w budżecie na przyszły rok.
${opts.consent ? '\nWyrażam zgodę na ujawnienie mojego imienia i nazwiska na stronie internetowej urzędu.\n' : ''}
Z poważaniem
${name}
${opts.address === false ? '' : `${streets[n % streets.length]}\n26-300 Opoczno\n`}`;
}

export const LIBRARY_PETITION = `Burmistrz Miasta Brzeziny
ul. Sienkiewicza 16
95-060 Brzeziny

Petycja w sprawie wydłużenia godzin otwarcia biblioteki miejskiej w soboty

Wnoszę o wydłużenie godzin pracy Miejskiej Biblioteki Publicznej w soboty do godziny 18:00. Uczniowie
i osoby pracujące w tygodniu nie mają dziś możliwości korzystania z czytelni ani z wypożyczalni.

Wyrażam zgodę na ujawnienie moich danych osobowych na stronie internetowej urzędu.

Z poważaniem
Małgorzata Zielińska
ul. Kościuszki 12/4
95-060 Brzeziny
`;

export const BENCH_PETITION = `Wójt Gminy Sławno

Petycja w sprawie ustawienia ławek przy placu zabaw w Warninie

Zwracam się z prośbą o ustawienie dwóch ławek i kosza na śmieci przy placu zabaw obok świetlicy wiejskiej.
Rodzice i dziadkowie czekający na dzieci nie mają gdzie usiąść.

Nie wyrażam zgody na ujawnienie moich danych osobowych.

Z poważaniem
Zbigniew Olszewski
Warnino 14, 76-100 Sławno
`;
