/** The petycja wielokrotna page: members (proposed, borderline, late), and the three website announcements. */
import type { Campaign, PetitionSummary, Session } from '../../storage/store.js';
import type { Joint, JointMember } from '../../storage/track-store.js';
import { ANNOUNCEMENT_KINDS, type AnnouncementKind } from '../../track/announcements.js';
import type { Proposal } from '../../track/joint-consideration.js';
import { html } from '../html.js';
import { badge, formatDate, page } from '../layout.js';
import { plDate } from './track-parts.js';

export interface MemberRow {
  petition: PetitionSummary;
  proposal: Proposal;
  why: string;
  decision: JointMember | null;
  /** art. 7 step its formal check suggests */
  formal: 'consider' | 'call_to_complete' | 'leave_unconsidered';
}

const FORMAL_PL = { consider: html`<span class="ok">✔ kompletna</span>`, call_to_complete: html`<span class="soon">wezwać do uzupełnienia</span>`, leave_unconsidered: html`<span class="missing">bez rozpatrzenia (art. 7 ust. 1)</span>` } as const;

const PROPOSAL_PL: Record<Proposal, string> = { member: 'dołączona', borderline: 'do potwierdzenia', late: 'po okresie oczekiwania' };

export function jointPage(user: Session, c: Campaign, name: string, j: Joint, rows: MemberRow[], announcements: Record<AnnouncementKind, string>, notice: string | null): string {
  const members = rows.filter((r) => (r.decision ? r.decision.state === 'member' : r.proposal === 'member'));
  return page(
    `Petycja wielokrotna: ${name}`,
    user,
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<section class="card" aria-labelledby="zarzadzenie"><h2 id="zarzadzenie">Zarządzenie (art. 11)</h2>
<dl class="facts">
  <dt>Przedmiot</dt><dd>${j.subject}</dd>
  <dt>Zarządził(a)</dt><dd>${j.ordered_by}, ${formatDate(j.ordered_at)}</dd>
  <dt>Ogłoszenie na stronie</dt><dd>${plDate(j.announced_on)}</dd>
  <dt>Koniec okresu oczekiwania</dt><dd>${plDate(j.waiting_end)} <small>(art. 11 ust. 2: najwyżej 2 miesiące od ogłoszenia)</small></dd>
  <dt>Termin rozpatrzenia</dt><dd><strong>${plDate(j.deadline)}</strong> <small>(3 miesiące od końca okresu oczekiwania)</small></dd>
  <dt>Petycji w łącznym rozpatrywaniu</dt><dd><strong id="liczba-czlonkow">${members.length}</strong></dd>
  ${j.outcome ? html`<dt>Sposób załatwienia</dt><dd>${j.outcome} <small>(${j.outcome_by}, ${formatDate(j.outcome_at)})</small></dd>` : ''}
</dl>
<p><a href="/kampanie/${encodeURIComponent(c.id)}">← Kampania</a> · <a href="/ogloszenia/szablony">Szablony ogłoszeń</a></p>
</section>
<section class="card" aria-labelledby="czlonkowie"><h2 id="czlonkowie">Petycje kampanii</h2>
<table class="inbox">
<caption class="visually-hidden">Petycje kampanii i ich przynależność do petycji wielokrotnej</caption>
<thead><tr><th scope="col">Petycja</th><th scope="col">Ryzyko</th><th scope="col">Wpłynęła</th><th scope="col">Wymogi formalne</th><th scope="col">Propozycja Sito</th><th scope="col">Decyzja</th></tr></thead>
<tbody>${rows.map((r) => {
      const id = r.petition.id;
      const state = r.decision ? (r.decision.state === 'member' ? 'w petycji wielokrotnej' : 'poza nią (rozpatrywana osobno)') : null;
      return html`<tr class="proposal-${r.proposal}">
  <td><a href="/petycje/${encodeURIComponent(id)}">${id}</a><br><small>${r.petition.subject ?? r.petition.excerpt.slice(0, 60)}</small></td>
  <td>${badge(r.petition.level)}</td>
  <td>${formatDate(r.petition.received_at ?? r.petition.stored_at)}</td>
  <td>${FORMAL_PL[r.formal]}</td>
  <td><strong>${PROPOSAL_PL[r.proposal]}</strong><br><small>${r.why}</small></td>
  <td>${state ? html`<span>${state}</span><br><small>${r.decision!.decided_by}</small>` : ''}
    <form method="post" action="/kampanie/${encodeURIComponent(c.id)}/wielokrotna/czlonkowie" class="inline">
      <input type="hidden" name="_csrf" value="${user.csrf}">
      <input type="hidden" name="petycja" value="${id}">
      ${r.decision?.state !== 'member' ? html`<button type="submit" name="decyzja" value="member" aria-label="Dołącz ${id}">Dołącz</button>` : ''}
      ${r.decision?.state !== 'rejected' ? html`<button type="submit" name="decyzja" value="rejected" class="secondary" aria-label="Wyłącz ${id}">Wyłącz</button>` : ''}
    </form></td>
</tr>`;
    })}</tbody>
</table>
</section>
${(Object.keys(ANNOUNCEMENT_KINDS) as AnnouncementKind[]).map(
      (k) => html`<section class="card" aria-labelledby="ogl-${k}"><h2 id="ogl-${k}">${ANNOUNCEMENT_KINDS[k]}</h2>
<pre class="announcement" id="tekst-${k}" tabindex="0">${announcements[k]}</pre>
${k === 'wynik' ? html`<form method="post" action="/kampanie/${encodeURIComponent(c.id)}/wielokrotna/wynik" class="grid-form">
  <input type="hidden" name="_csrf" value="${user.csrf}">
  <label for="sposob">Sposób załatwienia (trafi do ogłoszenia)</label>
  <textarea id="sposob" name="sposob" rows="3" maxlength="4000" required>${j.outcome ?? ''}</textarea>
  <button type="submit">Zapisz sposób załatwienia</button>
</form>` : ''}
</section>`,
    )}`,
    '/kampanie',
  );
}

export function templatesPage(user: Session, templates: Record<AnnouncementKind, string>, organ: string, place: string, saved: boolean): string {
  return page(
    'Szablony ogłoszeń',
    user,
    html`${saved ? html`<p class="notice" role="status">Zapisano szablony.</p>` : ''}
<p>Ogłoszenia petycji wielokrotnej na stronie internetowej urzędu (art. 11 ust. 2–4 ustawy o petycjach). Pola w nawiasach <code>{{…}}</code> Sito wypełnia samo:
<code>{{organ}}</code>, <code>{{przedmiot}}</code>, <code>{{data_zarzadzenia}}</code>, <code>{{liczba}}</code>, <code>{{koniec_oczekiwania}}</code>, <code>{{termin}}</code>, <code>{{termin_uzupelnienia}}</code>, <code>{{lista_brakow}}</code>, <code>{{sposob_zalatwienia}}</code>, <code>{{miejscowosc_data}}</code>.</p>
<form method="post" action="/ogloszenia/szablony" class="card grid-form">
  <input type="hidden" name="_csrf" value="${user.csrf}">
  <label for="organ">Organ (kto ogłasza)</label>
  <input id="organ" name="organ" maxlength="200" value="${organ}">
  <label for="miejscowosc">Miejscowość (do daty ogłoszenia)</label>
  <input id="miejscowosc" name="miejscowosc" maxlength="100" value="${place}">
  ${(Object.keys(ANNOUNCEMENT_KINDS) as AnnouncementKind[]).map((k) => html`<label for="szablon-${k}">${ANNOUNCEMENT_KINDS[k]}</label>
  <textarea id="szablon-${k}" name="${k}" rows="12" maxlength="8000">${templates[k]}</textarea>`)}
  <button type="submit">Zapisz szablony</button>
</form>`,
    '/kampanie',
  );
}
