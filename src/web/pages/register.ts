/** The website register (art. 8) and the yearly summary (art. 14), as pages and files to publish. */
import type { FastifyInstance } from 'fastify';
import type { Session, Store } from '../../storage/store.js';
import type { TrackStore } from '../../storage/store.js';
import { REGISTER_COLUMNS, summaryText, type RegisterEntry, type YearSummary } from '../../track/register.js';
import { parseYear, registerCsv, registerFor, registerJson, summaryFor } from '../../track/register-export.js';
import { warsawDate } from '../../track/deadlines.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { errorPage } from '../views.js';
import type { WebHelpers } from './track-routes.js';
import { plDate } from './track-parts.js';

type G = { Querystring: Record<string, string | undefined> };

function registerPage(user: Session, entries: RegisterEntry[], year: number | undefined): string {
  const q = year ? `?rok=${year}` : '';
  return page(
    `Rejestr petycji${year ? ` ${year}` : ''}`,
    user,
    html`<p>Informacje do zamieszczenia na stronie internetowej urzędu (art. 8 ustawy o petycjach): data złożenia, przedmiot, przebieg postępowania; imię i nazwisko albo nazwa wnoszącego <strong>tylko za zgodą</strong> (art. 4 ust. 3) — bez zgody pole zostaje puste. Odwzorowanie cyfrowe (skan) petycji dołącza urząd.</p>
<form method="get" action="/rejestr" class="filters">
  <label for="rok">Rok</label>
  <input id="rok" name="rok" inputmode="numeric" pattern="[0-9]{4}" size="6" value="${year ?? ''}">
  <button type="submit">Pokaż</button>
  <a href="/rejestr?rok=wszystkie">Wszystkie lata</a> · <a href="/rejestr.csv${q}">Pobierz CSV</a> · <a href="/rejestr.json${q}">Pobierz JSON</a> · <a href="/rejestr/podsumowanie?rok=${year ?? Number(warsawDate(new Date()).slice(0, 4)) - 1}">Informacja roczna (art. 14)</a>
</form>
<table class="inbox register">
<caption class="visually-hidden">Rejestr petycji</caption>
<thead><tr>${REGISTER_COLUMNS.map(([, h]) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${entries.length ? entries.map((e) => html`<tr>
  <td>${e.number}</td><td>${plDate(e.received)}</td><td>${e.subject}</td>
  <td>${e.submitter ?? html`<span class="muted">— (brak zgody)</span>`}</td>
  <td>${e.status}</td><td>${e.status_date ? plDate(e.status_date) : '—'}</td><td>${plDate(e.deadline)}</td><td>${e.joint ?? '—'}</td><td>${e.outcome ?? '—'}</td>
</tr>`) : html`<tr><td colspan="9">Brak petycji.</td></tr>`}</tbody>
</table>`,
    '/rejestr',
  );
}

function summaryPage(user: Session, s: YearSummary, text: string): string {
  return page(
    `Informacja o petycjach rozpatrzonych w ${s.year} r.`,
    user,
    html`<p>Art. 14 ustawy o petycjach: do 30 czerwca ${s.year + 1} r. na stronie internetowej zamieszcza się zbiorczą informację o petycjach rozpatrzonych w roku poprzednim — liczba, przedmiot i sposób załatwienia.</p>
<form method="get" action="/rejestr/podsumowanie" class="filters"><label for="rok">Rok</label><input id="rok" name="rok" inputmode="numeric" pattern="[0-9]{4}" size="6" value="${s.year}"><button type="submit">Pokaż</button></form>
<div class="kpis">
  <div class="kpi"><strong id="rozpatrzone">${s.dealt_with}</strong><span>rozpatrzonych</span></div>
  <div class="kpi"><strong>${s.received}</strong><span>wpłynęło w ${s.year} r.</span></div>
  <div class="kpi"><strong>${s.open}</strong><span>w toku</span></div>
</div>
<section class="card"><h2>Tekst do publikacji</h2><pre class="announcement" tabindex="0">${text}</pre></section>`,
    '/rejestr',
  );
}

export function registerRegisterPages(app: FastifyInstance, _store: Store, ts: TrackStore, h: WebHelpers) {
  const { requireUser, sendHtml } = h;
  const year = (v: string | undefined) => parseYear(v?.trim());
  app.get<G>('/rejestr', { preHandler: requireUser }, async (req, reply) => {
    // this year unless asked otherwise ("wszystkie": every year)
    const asked = year(req.query.rok);
    const y = req.query.rok === 'wszystkie' ? undefined : asked === undefined ? Number(warsawDate(new Date()).slice(0, 4)) : asked;
    if (y === null) return sendHtml(reply, errorPage(req.user, 'Błąd', 'Rok: podaj czterocyfrowy rok, od 2015.'), 400);
    return sendHtml(reply, registerPage(req.user!, await registerFor(ts, y), y));
  });
  app.get<G>('/rejestr.csv', { preHandler: requireUser }, async (req, reply) => {
    const y = year(req.query.rok);
    if (y === null) return reply.code(400).send({ error: 'bad_request', message: 'rok: expected a year from 2015' });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejestr-petycji${y ? `-${y}` : ''}.csv"`).send(registerCsv(await registerFor(ts, y)));
  });
  app.get<G>('/rejestr.json', { preHandler: requireUser }, async (req, reply) => {
    const y = year(req.query.rok);
    if (y === null) return reply.code(400).send({ error: 'bad_request', message: 'rok: expected a year from 2015' });
    return reply.type('application/json; charset=utf-8').send(registerJson(await registerFor(ts, y)));
  });
  app.get<G>('/rejestr/podsumowanie', { preHandler: requireUser }, async (req, reply) => {
    const y = year(req.query.rok) ?? Number(warsawDate(new Date()).slice(0, 4)) - 1;
    if (y === null) return sendHtml(reply, errorPage(req.user, 'Błąd', 'Rok: podaj czterocyfrowy rok, od 2015.'), 400);
    const s = await summaryFor(ts, y);
    const organ = (await ts.templates()).get('_organ')?.body;
    return sendHtml(reply, summaryPage(req.user!, s, summaryText(s, organ)));
  });
}
