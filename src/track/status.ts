/** How a petition is being dealt with: the progress art. 8 ust. 2 publishes and art. 14 sums up. */
export const STATUSES = {
  wplynela: 'Wpłynęła',
  wezwanie: 'Wezwano do uzupełnienia (art. 7 ust. 2)',
  w_toku: 'W rozpatrzeniu',
  rozpatrzona: 'Rozpatrzona — odpowiedź wysłana (art. 13)',
  bez_rozpatrzenia: 'Pozostawiona bez rozpatrzenia (art. 7 ust. 1)',
  przekazana: 'Przekazana podmiotowi właściwemu (art. 6)',
} as const;
export type Status = keyof typeof STATUSES;
export const isStatus = (s: unknown): s is Status => typeof s === 'string' && Object.hasOwn(STATUSES, s);
/** Finished: no deadline runs any more. */
export const CLOSED: ReadonlySet<string> = new Set<Status>(['rozpatrzona', 'bez_rozpatrzenia', 'przekazana']);
/** The same statuses as SQL string literals, for the stores' "is it closed" test (fixed words, no quotes in them). */
export const CLOSED_SQL = [...CLOSED].map((c) => `'${c}'`).join(', ');
