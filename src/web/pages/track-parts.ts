/** Pieces of the mass track shown inside the existing pages: deadlines, formal check, progress, campaign name. */
import type { Campaign, Session, StoredPetition } from '../../storage/store.js';
import type { Joint } from '../../storage/track-store.js';
import { daysBetween } from '../../track/deadlines.js';
import type { FormalCheck, FormalKey } from '../../track/formal.js';
import type { PetitionStanding } from '../../track/petition-track.js';
import { today } from '../../track/petition-track.js';
import { STATUSES } from '../../track/status.js';
import { html, type SafeHtml } from '../html.js';
import { formatDate } from '../layout.js';

export const plDate = (iso: string) => iso.slice(0, 10).split('-').reverse().join('.');

export function deadlineCell(s: PetitionStanding | undefined): SafeHtml {
  if (!s) return html`—`;
  if (s.closed) return html`<span class="muted">${plDate(s.deadline.date)}</span><br><small>${s.status ? (STATUSES[s.status.status as keyof typeof STATUSES] ?? s.status.status) : 'zakończona'}</small>`;
  const left = daysBetween(today(), s.deadline.date);
  if (s.overdue) return html`<span class="overdue">${plDate(s.deadline.date)}</span><br><small class="overdue">po terminie (${-left} dni)</small>`;
  return html`<span${left <= 7 ? html` class="soon"` : ''}>${plDate(s.deadline.date)}</span><br><small>${left === 0 ? 'dziś' : `za ${left} dni`}${s.deadline.basis === 'joint' ? ' · wielokrotna' : ''}</small>`;
}

const FORMAL_LABELS: Record<FormalKey, string> = {
  submitter: 'Wnoszący (imię i nazwisko / nazwa i osoba reprezentująca)',
  address: 'Miejsce zamieszkania lub siedziba, adres do korespondencji',
  addressee: 'Adresat petycji',
  subject: 'Przedmiot petycji',
  email: 'Adres e-mail (petycja elektroniczna)',
  consent_to_publish: 'Zgoda na ujawnienie danych na stronie',
};
const STEP_CLASS = { consider: 'step-ok', call_to_complete: 'step-call', leave_unconsidered: 'step-leave' } as const;
const STEP_TITLE = { consider: 'Do rozpatrzenia', call_to_complete: 'Wezwać do uzupełnienia', leave_unconsidered: 'Pozostawić bez rozpatrzenia' } as const;

export function petitionTrackSection(user: Session, p: StoredPetition, f: { deadline: string; deadline_basis: string; overdue: boolean; status: { code: string; label: string; by: string; at: string } | null; joint: { id: number; campaign_id: string; waiting_end: string } | null; formal_details: FormalCheck }, saved: boolean): SafeHtml {
  const c = f.formal_details;
  const basis = f.deadline_basis === 'joint' ? html`od końca okresu oczekiwania petycji wielokrotnej (${plDate(f.joint!.waiting_end)}, art. 11 ust. 2)` : f.deadline_basis === 'received' ? html`3 miesiące od wpływu (art. 10 ust. 1)` : html`3 miesiące od zapisania w Sito — brak daty wpływu (art. 10 ust. 1)`;
  return html`<section class="card" aria-labelledby="tryb">
  <h2 id="tryb">Tryb ustawy o petycjach</h2>
  ${saved ? html`<p class="notice" role="status">Zapisano stan sprawy.</p>` : ''}
  <p><strong>Termin rozpatrzenia: <span class="${f.overdue ? 'overdue' : ''}">${plDate(f.deadline)}</span></strong>${f.overdue ? html` <span class="overdue">— po terminie</span>` : ''} · ${basis}${f.joint ? html` · <a href="/kampanie/${encodeURIComponent(f.joint.campaign_id)}/wielokrotna">petycja wielokrotna</a>` : ''}</p>
  <p>Stan: <strong>${f.status?.label ?? 'Wpłynęła'}</strong>${f.status ? html` <small>(${f.status.by}, ${formatDate(f.status.at)})</small>` : ''}</p>
  <form method="post" action="/petycje/${encodeURIComponent(p.id)}/stan" class="filters">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <label for="stan">Zmień stan</label>
    <select id="stan" name="stan">${Object.entries(STATUSES).map(([k, v]) => html`<option value="${k}"${(f.status?.code ?? 'wplynela') === k ? html` selected` : ''}>${v}</option>`)}</select>
    <label for="uwaga">Uwaga</label>
    <input id="uwaga" name="uwaga" maxlength="500" placeholder="np. sposób załatwienia">
    <button type="submit">Zapisz stan</button>
  </form>
  <h3>Wymogi formalne (art. 4 ust. 2–5)</h3>
  <p class="step ${STEP_CLASS[c.step]}"><strong>${STEP_TITLE[c.step]}:</strong> ${c.step_description}</p>
  <table class="formal">
  <caption class="visually-hidden">Elementy petycji wymagane przez art. 4</caption>
  <thead><tr><th scope="col">Element</th><th scope="col">Jest?</th><th scope="col">Gdzie w treści / uwagi</th></tr></thead>
  <tbody>${(Object.keys(FORMAL_LABELS) as FormalKey[]).map((k) => {
    const e = c.elements[k];
    return html`<tr><th scope="row">${FORMAL_LABELS[k]}</th>
    <td>${e.found ? html`<span class="ok">✔ jest</span>` : k === 'email' && !c.electronic ? html`<span class="muted">— nie dotyczy petycji papierowej</span>` : html`<span class="missing">✘ brak</span>`}</td>
    <td>${e.evidence.length ? e.evidence.map((x) => html`<q>${x.text.slice(0, 100)}</q> `) : ''}${e.value ? html`<q>${e.value}</q> <small>(z danych nadawcy)</small> ` : ''}<br><small>${e.note}</small></td></tr>`;
  })}</tbody>
  </table>
</section>`;
}

export function campaignTrackSection(user: Session, c: Campaign, name: { name: string; words: string[]; source: 'auto' | 'clerk' } | null, joint: Joint | null, defaults: { announced: string; waitingEnd: string; subject: string }, error: string | null): SafeHtml {
  return html`<section class="card" aria-labelledby="nazwa">
  <h2 id="nazwa">Nazwa kampanii</h2>
  <p>${name ? html`<strong>${name.name}</strong> <small>(${name.source === 'clerk' ? 'nadana przez urzędnika' : 'słowa charakterystyczne, TF-IDF'})</small>` : html`<span class="muted">brak tekstu — tylko identyfikator</span>`} · identyfikator <code>${c.id}</code></p>
  <form method="post" action="/kampanie/${encodeURIComponent(c.id)}/nazwa" class="filters">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <label for="nowa-nazwa">Zmień nazwę</label>
    <input id="nowa-nazwa" name="nazwa" maxlength="120" required value="${name?.name ?? ''}">
    <button type="submit">Zapisz nazwę</button>
  </form>
</section>
<section class="card" aria-labelledby="wielokrotna">
  <h2 id="wielokrotna">Petycja wielokrotna (art. 11)</h2>
  ${
    joint
      ? html`<p>Łączne rozpatrywanie zarządził(a) <strong>${joint.ordered_by}</strong> ${formatDate(joint.ordered_at)}; okres oczekiwania do <strong>${plDate(joint.waiting_end)}</strong>, termin rozpatrzenia <strong>${plDate(joint.deadline)}</strong>.</p>
  <p><a href="/kampanie/${encodeURIComponent(c.id)}/wielokrotna">Członkowie i ogłoszenia →</a></p>`
      : html`<p>Jeśli dalsze petycje w tej samej sprawie wpłynęły w ciągu miesiąca od pierwszej, można zarządzić ich łączne rozpatrywanie (art. 11 ust. 1). Okres oczekiwania na dalsze petycje ogłasza się na stronie internetowej — najwyżej 2 miesiące od ogłoszenia; termin rozpatrzenia liczy się od jego końca (art. 11 ust. 2).</p>
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <form method="post" action="/kampanie/${encodeURIComponent(c.id)}/wielokrotna" class="grid-form">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <label for="przedmiot">Przedmiot (sprawa)</label>
    <input id="przedmiot" name="przedmiot" maxlength="300" required value="${defaults.subject}">
    <label for="data_ogloszenia">Data ogłoszenia na stronie</label>
    <input id="data_ogloszenia" name="data_ogloszenia" type="date" required value="${defaults.announced}">
    <label for="koniec_oczekiwania">Koniec okresu oczekiwania (najwyżej 2 miesiące)</label>
    <input id="koniec_oczekiwania" name="koniec_oczekiwania" type="date" required value="${defaults.waitingEnd}">
    <button type="submit">Zarządź łączne rozpatrywanie</button>
  </form>`
  }
</section>`;
}
