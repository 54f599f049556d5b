import type { Reason, ScoreResult } from '../decision/result.js';
import type { Campaign, Feedback, Page, PetitionPage, PetitionSummary, Session, StoredPetition } from '../storage/store.js';
import { html, type SafeHtml } from './html.js';
import { badge, FEEDBACK_LABEL, formatDate, page } from './layout.js';
import { DOCUMENT_ACCEPT, documentCard, partedText, type DocumentView } from './document-view.js';
import type { PetitionStanding } from '../track/petition-track.js';
import { deadlineCell } from './pages/track-parts.js';

const TRAIT_PL = { mass_mailing: 'masowa wysyłka', vendor_promotion: 'oferta komercyjna' } as const;
const SIGNAL_PL = { rule: 'reguła', template: 'szablon', embedding: 'podobieństwo treści', model: 'model', clearinghouse: 'inne urzędy' } as const;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find((l) => l.length > 0)?.slice(0, 140) ?? '';

export function loginPage(error: string | null, csrf: string, next: string): string {
  return page(
    'Logowanie',
    null,
    html`<form method="post" action="/logowanie" class="card narrow">
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="next" value="${next}">
  <label for="login">Login</label>
  <input id="login" name="login" autocomplete="username" required autofocus>
  <label for="password">Hasło</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Zaloguj</button>
</form>`,
  );
}

const count = new Intl.NumberFormat('pl-PL');

/**
 * Pages of a listing. A petition listing's total stops at 10 000 (`total_exact` false): the pager
 * says "ponad 10 000" and offers the next page while the current one is full.
 */
function pager(base: string, params: Record<string, string | undefined>, p: Page<unknown> & { total_exact?: boolean }): SafeHtml {
  const exact = p.total_exact !== false;
  const pages = Math.max(1, Math.ceil(p.total / p.limit));
  const current = Math.floor(p.offset / p.limit) + 1;
  const more = exact ? current < pages : p.offset + p.limit < p.total || p.items.length === p.limit;
  const link = (n: number) => {
    const q = new URLSearchParams(Object.entries({ ...params, strona: String(n) }).filter((e): e is [string, string] => !!e[1]));
    return `${base}?${q}`;
  };
  return html`<nav class="pager" aria-label="Strony">
  ${current > 1 ? html`<a href="${link(current - 1)}" rel="prev">← Poprzednia</a>` : ''}
  <span>${exact ? html`Strona ${current} z ${pages} (${p.total})` : html`Strona ${current} (ponad ${count.format(p.total)})`}</span>
  ${more ? html`<a href="${link(current + 1)}" rel="next">Następna →</a>` : ''}
</nav>`;
}

export interface InboxQuery {
  poziom?: string | undefined;
  sciezka?: string | undefined;
  q?: string | undefined;
  kolejnosc?: string | undefined;
  po_terminie?: string | undefined;
}

/** The mass track's columns: each petition's deadline and progress, campaigns by name. */
export interface InboxTrack {
  standings: Map<string, PetitionStanding>;
  names: Map<string, { name: string }>;
}

export function inboxPage(user: Session, list: PetitionPage, feedback: Map<string, Feedback>, query: InboxQuery, track?: InboxTrack): string {
  const sel = (v: string | undefined, opt: string) => (v === opt ? html` selected` : '');
  const rows = list.items.map((p) => {
    const fb = feedback.get(p.id);
    return html`<tr>
  <td>${badge(p.level)}${p.elsewhere ? html`<br><small class="elsewhere" title="Ta sama treść wpłynęła do innych urzędów (izba rozliczeniowa)">też w ${p.elsewhere === 1 ? '1 innym urzędzie' : `${p.elsewhere} innych urzędach`}</small>` : ''}</td>
  <td class="num">${p.score.toFixed(2)}</td>
  <td>${p.sender.name ?? p.sender.email ?? '—'}${p.sender.name && p.sender.email ? html`<br><small>${p.sender.email}</small>` : ''}</td>
  <td><a href="/petycje/${encodeURIComponent(p.id)}">${p.subject ?? firstLine(p.excerpt)}</a></td>
  <td>${formatDate(p.received_at ?? p.stored_at)}</td>
  ${track ? html`<td>${deadlineCell(track.standings.get(p.id))}</td>` : ''}
  <td${track ? '' : html` class="num"`}>${p.campaign ? html`<a href="/kampanie/${encodeURIComponent(p.campaign.id)}">${track?.names.get(p.campaign.id) ? html`${track.names.get(p.campaign.id)!.name} ` : ''}(${p.campaign.size})</a>` : '—'}</td>
  <td>${fb ? html`<span class="mark mark-${fb.label}">${FEEDBACK_LABEL[fb.label]}</span>` : html`<span class="muted">brak</span>`}</td>
</tr>`;
  });
  return page(
    'Skrzynka petycji',
    user,
    html`<form method="get" action="/skrzynka" class="filters" role="search">
  <label for="poziom">Ryzyko</label>
  <select id="poziom" name="poziom">
    <option value="">wszystkie</option>
    <option value="high"${sel(query.poziom, 'high')}>Wysokie ryzyko</option>
    <option value="review"${sel(query.poziom, 'review')}>Do sprawdzenia</option>
    <option value="low"${sel(query.poziom, 'low')}>Niskie</option>
  </select>
  <label for="sciezka">Ścieżka</label>
  <select id="sciezka" name="sciezka">
    <option value="">wszystkie</option>
    <option value="petycje_masowe"${sel(query.sciezka, 'petycje_masowe')}>petycje masowe</option>
    <option value="standard"${sel(query.sciezka, 'standard')}>zwykła</option>
  </select>
  <label for="q">Szukaj</label>
  <input id="q" name="q" type="search" value="${query.q ?? ''}" placeholder="słowo, nadawca, numer">
  <label for="kolejnosc">Kolejność</label>
  <select id="kolejnosc" name="kolejnosc">
    <option value="">od najnowszych</option>
    <option value="termin"${sel(query.kolejnosc, 'termin')}>wg terminu (art. 10)</option>
  </select>
  <label><input type="checkbox" name="po_terminie" value="1"${query.po_terminie === '1' ? html` checked` : ''}> tylko po terminie</label>
  <button type="submit">Filtruj</button>
</form>
<table class="inbox">
<caption class="visually-hidden">Petycje od najnowszych</caption>
<thead><tr><th scope="col">Ryzyko</th><th scope="col">Wynik</th><th scope="col">Nadawca</th><th scope="col">Temat / pierwsza linia</th><th scope="col">Data</th>${track ? html`<th scope="col">Termin</th>` : ''}<th scope="col">Kampania</th><th scope="col">Ocena urzędnika</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="8">Brak petycji.</td></tr>`}</tbody>
</table>
${pager('/skrzynka', { poziom: query.poziom, sciezka: query.sciezka, q: query.q, kolejnosc: query.kolejnosc, po_terminie: query.po_terminie }, list)}`,
    '/skrzynka',
  );
}

/**
 * The petition text with its evidence marked. Spans of different reasons may overlap (a vendor's
 * domain inside a commercial link): the text is cut at every span boundary, and each piece is
 * marked with every reason that covers it, numbered after the reasons table.
 */
export function highlighted(text: string, reasons: readonly Reason[]): SafeHtml {
  const spans = reasons.flatMap((r, i) => r.evidence.filter((e) => e.end > e.start && e.end <= text.length).map((e) => ({ start: e.start, end: e.end, n: i + 1 })));
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const parts: SafeHtml[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k]!, cuts[k + 1]!];
    const piece = text.slice(a, b);
    const covering = [...new Set(spans.filter((s) => s.start <= a && s.end >= b).map((s) => s.n))].sort((x, y) => x - y);
    if (!covering.length) {
      parts.push(html`${piece}`);
      continue;
    }
    const descriptions = covering.map((n) => reasons[n - 1]!.description).join(' · ');
    const up = covering.some((n) => reasons[n - 1]!.contribution >= 0);
    // the reasons' numbers follow the last piece of a span only
    const endsHere = covering.filter((n) => spans.some((s) => s.n === n && s.end === b));
    parts.push(
      html`<mark class="${up ? 'ev' : 'ev ev-down'}" title="${descriptions}"><span class="visually-hidden">[${descriptions}: </span>${piece}${endsHere.length ? html`<sup aria-hidden="true">${endsHere.join(',')}</sup>` : ''}<span class="visually-hidden">]</span></mark>`,
    );
  }
  return html`${parts}`;
}

function reasonsTable(result: ScoreResult): SafeHtml {
  return html`<table class="reasons">
<caption>Dlaczego taki wynik — wkład każdego sygnału (log-szanse; dodatni podnosi ryzyko)</caption>
<thead><tr><th scope="col">#</th><th scope="col">Sygnał</th><th scope="col">Opis</th><th scope="col">Cecha</th><th scope="col" class="num">Wkład</th><th scope="col">Dowody</th></tr></thead>
<tbody>${result.reasons.map(
    (r, i) => html`<tr>
  <td>${i + 1}</td>
  <td>${SIGNAL_PL[r.signal]}<br><small><code>${r.id}</code></small></td>
  <td>${r.description}${r.similarity !== undefined ? html` <small>(podobieństwo ${pct(r.similarity)})</small>` : ''}</td>
  <td>${r.trait ? TRAIT_PL[r.trait] : '—'}</td>
  <td class="num ${r.contribution >= 0 ? 'up' : 'down'}">${r.contribution >= 0 ? '+' : '−'}${Math.abs(r.contribution).toFixed(2)}</td>
  <td>${r.evidence.length ? r.evidence.slice(0, 3).map((e) => html`<q>${e.text.slice(0, 80)}</q> `) : '—'}${r.evidence.length > 3 ? html` <small>i ${r.evidence.length - 3} więcej</small>` : ''}</td>
</tr>`,
  )}</tbody>
</table>`;
}

export function petitionPage(user: Session, p: StoredPetition, campaign: Campaign | null, similar: PetitionSummary[], feedback: Feedback | null, saved: boolean, doc: DocumentView | null = null, track?: { section: SafeHtml; campaignName: string | null }): string {
  const r = p.result;
  return page(
    `Petycja ${p.id}`,
    user,
    html`${saved ? html`<p class="notice" role="status">Zapisano ocenę.</p>` : ''}
<section class="card verdict" aria-labelledby="werdykt">
  <h2 id="werdykt">Werdykt</h2>
  <p>${badge(r.level)} wynik <strong>${r.score.toFixed(2)}</strong> · ścieżka <strong>${r.track === 'petycje_masowe' ? 'petycje masowe' : 'zwykła'}</strong>
  · masowa wysyłka ${pct(r.traits.mass_mailing)} · oferta komercyjna ${pct(r.traits.vendor_promotion)}</p>
  <p class="meta">Nadawca: ${p.sender.name ?? '—'} ${p.sender.email ? html`&lt;${p.sender.email}&gt;` : ''} · wpłynęła ${formatDate(p.received_at ?? p.stored_at)} · model <code>${r.model.version}</code></p>
  ${feedback ? html`<p class="mark mark-${feedback.label}">${FEEDBACK_LABEL[feedback.label]} — ${feedback.login}, ${formatDate(feedback.at)}</p>` : ''}
  <form method="post" action="/petycje/${encodeURIComponent(p.id)}/ocena" class="feedback">
    <input type="hidden" name="_csrf" value="${user.csrf}">
    <button type="submit" name="label" value="mass" class="btn-mass">Potwierdzam: petycja masowa</button>
    <button type="submit" name="label" value="regular" class="btn-regular">To zwykła petycja</button>
  </form>
</section>
${track?.section ?? ''}
${
  campaign
    ? html`<section class="card" aria-labelledby="kampania"><h2 id="kampania">Kampania</h2>
  <p><a href="/kampanie/${encodeURIComponent(campaign.id)}">${track?.campaignName ?? campaign.family ?? campaign.id}</a> — ${campaign.size} ${campaign.size === 1 ? 'petycja' : 'petycji'}, ${campaign.distinct_senders} nadawców, od ${formatDate(campaign.first_seen)} do ${formatDate(campaign.last_seen)}${campaign.label ? html` · oznaczona jako <strong>${campaign.label === 'mass' ? 'masowa' : 'zwykła'}</strong>` : ''}</p>
  ${similar.length ? html`<h3>Podobne petycje</h3><ul>${similar.map((s) => html`<li><a href="/petycje/${encodeURIComponent(s.id)}">${s.subject ?? firstLine(s.excerpt)}</a> ${badge(s.level)} <small>${formatDate(s.received_at ?? s.stored_at)}</small></li>`)}</ul>` : ''}
</section>`
    : ''
}
<section class="card" aria-labelledby="powody"><h2 id="powody">Powody</h2>${reasonsTable(r)}</section>
${doc ? documentCard(p.id, doc) : ''}
<section class="card" aria-labelledby="tresc-petycji"><h2 id="tresc-petycji">Treść z zaznaczonymi dowodami</h2>
${doc?.parts.length ? partedText(p.text, doc.parts, r.reasons, highlighted) : html`<div class="petition-text" tabindex="0">${highlighted(p.text, r.reasons)}</div>`}
</section>`,
  );
}

export function campaignsPage(user: Session, list: Page<Campaign>, order: string, names: Map<string, { name: string }> = new Map()): string {
  return page(
    'Kampanie',
    user,
    html`<p>Grupy niemal identycznych petycji (ten sam szablon wysłany do wielu urzędów lub wielokrotnie). <a href="/kampanie?kolejnosc=${order === 'size' ? 'last_seen' : 'size'}">Sortuj ${order === 'size' ? 'wg ostatniego wpływu' : 'wg liczebności'}</a></p>
<table class="inbox">
<caption class="visually-hidden">Kampanie</caption>
<thead><tr><th scope="col">Kampania</th><th scope="col" class="num">Petycji</th><th scope="col" class="num">Nadawców</th><th scope="col">Źródło</th><th scope="col">Ostatnio</th><th scope="col">Wzorcowy tekst</th></tr></thead>
<tbody>${list.items.map(
      (c) => html`<tr>
  <td><a href="/kampanie/${encodeURIComponent(c.id)}">${names.get(c.id)?.name ?? c.family ?? c.id}</a>${c.label ? html`<br><small>${c.label === 'mass' ? 'masowa' : 'zwykła'}</small>` : ''}</td>
  <td class="num">${c.size}</td><td class="num">${c.distinct_senders}</td>
  <td>${c.source === 'known' ? 'biblioteka znanych' : 'ten urząd'}</td>
  <td>${formatDate(c.last_seen)}</td>
  <td>${c.representative_text ? firstLine(c.representative_text) : html`<span class="muted">tylko odcisk (bez tekstu)</span>`}</td>
</tr>`,
    )}</tbody>
</table>
${pager('/kampanie', { kolejnosc: order }, list)}`,
    '/kampanie',
  );
}

export function campaignPage(user: Session, c: Campaign, members: PetitionPage, track?: { name: string | null; section: SafeHtml }): string {
  return page(
    track?.name ? `Kampania „${track.name}”` : `Kampania ${c.family ?? c.id}`,
    user,
    html`<p>${c.size} petycji · ${c.distinct_senders} nadawców · od ${formatDate(c.first_seen)} do ${formatDate(c.last_seen)} · ${c.source === 'known' ? 'z biblioteki znanych kampanii' : 'wykryta w tym urzędzie'}${c.sender ? html` · nadawca: ${c.sender}` : ''}</p>
${track?.section ?? ''}
<section class="card"><h2>Wzorcowy tekst</h2>${c.representative_text ? html`<div class="petition-text" tabindex="0">${c.representative_text}</div>` : html`<p class="muted">Biblioteka zawiera tylko odcisk tej kampanii, bez tekstu.</p>`}</section>
<section class="card"><h2>Petycje w tym urzędzie</h2>
<ul>${members.items.map((m) => html`<li><a href="/petycje/${encodeURIComponent(m.id)}">${m.subject ?? firstLine(m.excerpt)}</a> ${badge(m.level)} <small>${formatDate(m.received_at ?? m.stored_at)}</small></li>`)}</ul>
${members.items.length ? '' : html`<p class="muted">Żadna jeszcze nie wpłynęła.</p>`}
${pager(`/kampanie/${encodeURIComponent(c.id)}`, {}, members)}
</section>`,
    '/kampanie',
  );
}

export function checkPage(user: Session, text: string, result: ScoreResult | null, error: string | null, doc: DocumentView | null = null, campaignName: string | null = null): string {
  return page(
    'Sprawdź tekst',
    user,
    html`<p>Wklej treść albo wybierz plik: e-mail (.eml, .msg), PDF (także skan), DOCX, ODT, tekst lub zdjęcie pisma. Sprawdzenie niczego nie zapisuje.</p>
<form method="post" action="/sprawdz" enctype="multipart/form-data" class="card">
  <input type="hidden" name="_csrf" value="${user.csrf}">
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <label for="tekst">Treść petycji</label>
  <textarea id="tekst" name="tekst" rows="12">${text}</textarea>
  <label for="plik">albo plik (.eml, .msg, .pdf, .docx, .odt, .txt, .png, .jpg)</label>
  <input id="plik" name="plik" type="file" accept="${DOCUMENT_ACCEPT}">
  <button type="submit">Sprawdź</button>
</form>
${
  result
    ? html`<section class="card verdict" aria-labelledby="wynik"><h2 id="wynik">Wynik</h2>
  <p>${badge(result.level)} wynik <strong>${result.score.toFixed(2)}</strong>${result.campaign ? html` · pasuje do kampanii <a href="/kampanie/${encodeURIComponent(result.campaign.id)}">${campaignName ?? result.campaign.id}</a> (${result.campaign.size})` : ''}</p>
  ${reasonsTable(result)}
  <h3>Treść z zaznaczonymi dowodami</h3>
  ${doc?.parts.length ? partedText(text, doc.parts, result.reasons, highlighted) : html`<div class="petition-text" tabindex="0">${highlighted(text, result.reasons)}</div>`}
</section>
${doc ? documentCard(null, doc) : ''}`
    : ''
}`,
    '/sprawdz',
  );
}

export function errorPage(user: Session | null, title: string, message: string): string {
  return page(title, user, html`<p>${message}</p><p><a href="/skrzynka">Wróć do skrzynki</a></p>`);
}
