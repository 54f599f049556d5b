/**
 * Website announcements of a petycja wielokrotna (art. 11 ust. 2–4 of the Petitions Act), drafted
 * from templates the office may edit. `{{name}}` placeholders are filled in; an unknown one stays
 * visible so that a clerk sees it.
 */
export const ANNOUNCEMENT_KINDS = {
  laczne: 'Ogłoszenie o łącznym rozpatrywaniu (art. 11 ust. 1–2)',
  wezwanie: 'Wezwanie do uzupełnienia (art. 11 ust. 3)',
  wynik: 'Sposób załatwienia (art. 11 ust. 4)',
} as const;
export type AnnouncementKind = keyof typeof ANNOUNCEMENT_KINDS;
export const isAnnouncementKind = (k: unknown): k is AnnouncementKind => typeof k === 'string' && Object.hasOwn(ANNOUNCEMENT_KINDS, k);

export const DEFAULT_TEMPLATES: Record<AnnouncementKind, string> = {
  laczne: `OGŁOSZENIE
o łącznym rozpatrywaniu petycji (petycja wielokrotna)

Na podstawie art. 11 ust. 1 ustawy z dnia 11 lipca 2014 r. o petycjach {{organ}} ogłasza, że w dniu {{data_zarzadzenia}} r. zarządzono łączne rozpatrywanie petycji w sprawie: {{przedmiot}}. Do dnia ogłoszenia wpłynęło {{liczba}} petycji w tej sprawie.

Zgodnie z art. 11 ust. 2 ustawy ogłasza się okres oczekiwania na dalsze petycje w tej sprawie do dnia {{koniec_oczekiwania}} r. Petycje w tej samej sprawie złożone w tym okresie zostaną rozpatrzone łącznie.

Termin rozpatrzenia petycji wielokrotnej liczy się od dnia upływu okresu oczekiwania; petycja zostanie rozpatrzona nie później niż do dnia {{termin}} r. (art. 10 ust. 1 w zw. z art. 11 ust. 2 ustawy).

{{miejscowosc_data}}`,
  wezwanie: `OGŁOSZENIE
wzywające do uzupełnienia lub wyjaśnienia treści petycji

Na podstawie art. 11 ust. 3 ustawy z dnia 11 lipca 2014 r. o petycjach {{organ}} wzywa podmioty wnoszące petycje składające się na petycję wielokrotną w sprawie: {{przedmiot}}, wskazane poniżej, do uzupełnienia lub wyjaśnienia treści petycji w terminie 14 dni od dnia ogłoszenia, tj. do dnia {{termin_uzupelnienia}} r.

{{lista_brakow}}

Petycja, której treść nie zostanie uzupełniona lub wyjaśniona, pozostanie bez rozpatrzenia. Ogłoszenie zastępuje wezwanie, o którym mowa w art. 7 ust. 2 ustawy.

{{miejscowosc_data}}`,
  wynik: `OGŁOSZENIE
o sposobie załatwienia petycji wielokrotnej

Na podstawie art. 11 ust. 4 ustawy z dnia 11 lipca 2014 r. o petycjach {{organ}} informuje, że petycja wielokrotna w sprawie: {{przedmiot}} (łącznie {{liczba}} petycji; okres oczekiwania zakończył się {{koniec_oczekiwania}} r.) została rozpatrzona w następujący sposób:

{{sposob_zalatwienia}}

Ogłoszenie zastępuje zawiadomienie, o którym mowa w art. 13 ust. 1 ustawy.

{{miejscowosc_data}}`,
};

/** The organ's name in the announcements (stored with the templates). */
export const DEFAULT_ORGAN = '[nazwa organu, np. Burmistrz Miasta …]';

export function renderTemplate(body: string, values: Record<string, string>): string {
  return body.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/** 14 days from the announcement (art. 11 ust. 3). */
export function completionDue(announcedOn: string): string {
  const [y, m, d] = announcedOn.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 14)).toISOString().slice(0, 10);
}

/** Polish date for an announcement: 2026-03-05 → 5 marca 2026 (templates add "r."). */
export function polishDate(iso: string): string {
  const months = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada', 'grudnia'];
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return `${d} ${months[m - 1]} ${y}`;
}
