import type { Session } from '../storage/store.js';
import { html, type SafeHtml } from './html.js';

const NAV: Array<[string, string]> = [
  ['/start', 'Start'],
  ['/skrzynka', 'Skrzynka'],
  ['/kampanie', 'Kampanie'],
  ['/rejestr', 'Rejestr'],
  ['/sprawdz', 'Sprawdź tekst'],
];

export function page(title: string, user: Session | null, body: SafeHtml, current = ''): string {
  return html`<!doctype html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Sito</title>
<link rel="stylesheet" href="/static/sito.css">
</head>
<body>
<a class="skip" href="#tresc">Przejdź do treści</a>
<header class="top">
  <span class="brand">Sito</span>
  ${
    user
      ? html`<nav aria-label="Główna">${NAV.map(([href, label]) => html`<a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <form method="post" action="/wyloguj" class="logout">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <span class="who">${user.login} (${user.role === 'analyst' ? 'analityk' : 'urzędnik'})</span>
    <button type="submit">Wyloguj</button>
  </form>`
      : ''
  }
</header>
<main id="tresc">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}

const BADGES = {
  high: ['badge-high', 'Wysokie ryzyko — masowa/komercyjna'],
  review: ['badge-review', 'Do sprawdzenia'],
  low: ['badge-low', 'Niskie'],
} as const;

export function badge(level: 'high' | 'review' | 'low'): SafeHtml {
  const [cls, text] = BADGES[level];
  return html`<span class="badge ${cls}">${text}</span>`;
}

export const FEEDBACK_LABEL = { mass: 'Potwierdzono: petycja masowa', regular: 'Oznaczono: zwykła petycja' } as const;

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  // a bare date (received_at may be one) has no time of day to show
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return new Date(`${iso}T12:00:00Z`).toLocaleDateString('pl-PL', { timeZone: 'Europe/Warsaw', dateStyle: 'short' });
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('pl-PL', { timeZone: 'Europe/Warsaw', dateStyle: 'short', timeStyle: 'short' });
}
