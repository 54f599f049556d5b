/**
 * The clerks' start page: petitions per week by level (stacked bars), the largest campaigns and
 * their growth, deadlines this week, and how often clerks confirmed or corrected Sito. Charts are
 * SVG drawn on the server (no script), each with a title, a description and its numbers as a table.
 */
import type { FastifyInstance } from 'fastify';
import type { Session, Store } from '../../storage/store.js';
import type { TrackStore } from '../../storage/store.js';
import { ensureCampaignNames } from '../../track/campaign-names.js';
import { growth, markAgreement, weekStart, weeklyByLevel, weeksRange, type MarkAgreement, type WeekCounts } from '../../track/dashboard.js';
import { addDays } from '../../track/deadlines.js';
import { dueBetween, listByDeadline, today } from '../../track/petition-track.js';
import { html, type SafeHtml } from '../html.js';
import { badge, page } from '../layout.js';
import type { WebHelpers } from './track-routes.js';
import { plDate } from './track-parts.js';

const WEEKS = 12;
/** Deadlines listed on the page; the inbox by deadline lists them all. */
const DUE_SHOWN = 50;
const COLOURS = { high: '#a4161a', review: '#c98a00', low: '#1b6b35' } as const;
const LEVEL_PL = { high: 'wysokie ryzyko', review: 'do sprawdzenia', low: 'niskie' } as const;
const LINE_COLOURS = ['#1f5fbf', '#a4161a', '#1b6b35', '#7a4b00', '#6b3fa0'];
const short = (d: string) => `${d.slice(8, 10)}.${d.slice(5, 7)}`;

function weeklyChart(weeks: WeekCounts[]): SafeHtml {
  const W = 640, H = 280, left = 40, bottom = 40, top = 16;
  const max = Math.max(1, ...weeks.map((w) => w.high + w.review + w.low));
  const step = Math.ceil(max / 4);
  const scaleMax = step * 4;
  const bw = (W - left - 8) / weeks.length;
  const y = (v: number) => H - bottom - ((H - bottom - top) * v) / scaleMax;
  const total = weeks.reduce((s, w) => s + w.high + w.review + w.low, 0);
  const bars = weeks.map((w, i) => {
    let acc = 0;
    const x = left + i * bw + 4;
    const segs = (['low', 'review', 'high'] as const).map((lvl) => {
      const v = w[lvl];
      const y1 = y(acc + v), y0 = y(acc);
      acc += v;
      return v ? html`<rect class="bar-${lvl}" x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${(bw - 8).toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${COLOURS[lvl]}"><title>Tydzień od ${plDate(w.week)}: ${LEVEL_PL[lvl]} ${v}</title></rect>` : '';
    });
    const sum = w.high + w.review + w.low;
    return html`<g>${segs}${sum ? html`<text x="${(x + (bw - 8) / 2).toFixed(1)}" y="${(y(sum) - 3).toFixed(1)}" text-anchor="middle" font-size="14">${sum}</text>` : ''}${(weeks.length - 1 - i) % 2 === 0 ? html`<text x="${(x + (bw - 8) / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" font-size="13">${short(w.week)}</text>` : ''}</g>`;
  });
  const grid = [0, 1, 2, 3, 4].map((k) => html`<line x1="${left}" x2="${W - 4}" y1="${y(k * step).toFixed(1)}" y2="${y(k * step).toFixed(1)}" stroke="#d7dce3"/><text x="${left - 4}" y="${(y(k * step) + 4).toFixed(1)}" text-anchor="end" font-size="13">${k * step}</text>`);
  return html`<figure class="chart card">
<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="tyg-t tyg-d" id="wykres-tygodnie">
  <title id="tyg-t">Petycje w tygodniach według ryzyka</title>
  <desc id="tyg-d">Słupki skumulowane dla ${weeks.length} ostatnich tygodni; razem ${total} petycji: wysokie ryzyko ${weeks.reduce((s, w) => s + w.high, 0)}, do sprawdzenia ${weeks.reduce((s, w) => s + w.review, 0)}, niskie ${weeks.reduce((s, w) => s + w.low, 0)}.</desc>
  ${grid}${bars}
  <text x="${left}" y="${H - 4}" font-size="13">tydzień od (poniedziałek)</text>
</svg>
<ul class="legend">${(['high', 'review', 'low'] as const).map((l) => html`<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${COLOURS[l]}"/></svg> ${LEVEL_PL[l]}</li>`)}</ul>
<figcaption>Petycje w tygodniach (data wpływu), według poziomu ryzyka.</figcaption>
<details><summary>Dane w tabeli</summary><table><thead><tr><th scope="col">Tydzień od</th><th scope="col" class="num">Wysokie</th><th scope="col" class="num">Do sprawdzenia</th><th scope="col" class="num">Niskie</th></tr></thead>
<tbody>${weeks.map((w) => html`<tr><td>${plDate(w.week)}</td><td class="num">${w.high}</td><td class="num">${w.review}</td><td class="num">${w.low}</td></tr>`)}</tbody></table></details>
</figure>`;
}

function growthChart(series: Array<{ id: string; name: string; size: number; values: number[] }>, weeks: string[]): SafeHtml {
  const W = 640, H = 280, left = 40, bottom = 40, top = 16, right = 24;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => left + ((W - left - right) * i) / Math.max(1, weeks.length - 1);
  const y = (v: number) => H - bottom - ((H - bottom - top) * v) / max;
  return html`<figure class="chart card">
<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="kamp-t kamp-d" id="wykres-kampanie">
  <title id="kamp-t">Największe kampanie — przyrost petycji</title>
  <desc id="kamp-d">${series.length ? series.map((s) => `${s.name}: ${s.size} petycji`).join('; ') : 'Brak kampanii.'}</desc>
  <line x1="${left}" x2="${W - right}" y1="${y(0)}" y2="${y(0)}" stroke="#9aa3b1"/>
  <text x="${left - 4}" y="${y(max) + 4}" text-anchor="end" font-size="13">${max}</text><text x="${left - 4}" y="${y(0) + 4}" text-anchor="end" font-size="13">0</text>
  ${weeks.map((w, i) => ((weeks.length - 1 - i) % 2 ? '' : html`<text x="${x(i).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" font-size="13">${short(w)}</text>`))}
  ${series.map((s, k) => html`<polyline fill="none" stroke="${LINE_COLOURS[k % LINE_COLOURS.length]}" stroke-width="2.5" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"><title>${s.name}: ${s.values.at(-1)} petycji na koniec okresu</title></polyline>`)}
</svg>
<ul class="legend">${series.map((s, k) => html`<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${LINE_COLOURS[k % LINE_COLOURS.length]}"/></svg> <a href="/kampanie/${encodeURIComponent(s.id)}">${s.name}</a> (${s.size})</li>`)}</ul>
<figcaption>Łączna liczba petycji każdej z największych kampanii na koniec tygodnia.</figcaption>
</figure>`;
}

function marksTable(m: MarkAgreement): SafeHtml {
  const pct = (n: number) => (m.confirmed + m.corrected ? `${Math.round((100 * n) / (m.confirmed + m.corrected))}%` : '—');
  return html`<section class="card" aria-labelledby="oceny"><h2 id="oceny">Oceny urzędników a wynik Sito</h2>
<p>Potwierdzone: <strong id="potwierdzone">${m.confirmed}</strong> (${pct(m.confirmed)}) · poprawione: <strong id="poprawione">${m.corrected}</strong> (${pct(m.corrected)}) · rozstrzygnięte przy „do sprawdzenia”: ${m.undecided_by_sito} · razem ocen: ${m.total}</p>
<table id="tabela-ocen"><caption>Ostatnia ocena każdej petycji według poziomu, jaki nadało Sito</caption>
<thead><tr><th scope="col">Sito</th><th scope="col" class="num">Urzędnik: masowa</th><th scope="col" class="num">Urzędnik: zwykła</th></tr></thead>
<tbody>${(['high', 'review', 'low'] as const).map((l) => html`<tr><th scope="row">${badge(l)}</th><td class="num">${m.table[l].mass}</td><td class="num">${m.table[l].regular}</td></tr>`)}</tbody></table>
</section>`;
}

function startPage(user: Session, f: StartFigures): string {
  const { weeks, series, due, overdueTotal, marks } = f;
  const thisWeek = weeks.at(-1)!;
  return page(
    'Start',
    user,
    html`<div class="kpis">
  <div class="kpi"><strong id="ten-tydzien">${thisWeek.high + thisWeek.review + thisWeek.low}</strong><span>petycji w tym tygodniu</span></div>
  <div class="kpi"><strong id="wysokie-tydzien">${thisWeek.high}</strong><span>wysokie ryzyko w tym tygodniu</span></div>
  <div class="kpi"><strong id="terminy-tydzien">${f.dueOpen}</strong><span>terminów w tym tygodniu</span></div>
  <div class="kpi"><strong id="po-terminie">${overdueTotal}</strong><span><a href="/skrzynka?po_terminie=1&amp;kolejnosc=termin">po terminie</a></span></div>
</div>
<div class="charts">${weeklyChart(weeks)}${growthChart(series, weeks.map((w) => w.week))}</div>
<section class="card" aria-labelledby="terminy"><h2 id="terminy">Terminy w tym tygodniu (art. 10)</h2>
${due.length ? html`<table id="tabela-terminow"><thead><tr><th scope="col">Termin</th><th scope="col">Petycja</th></tr></thead><tbody>${due.map((d) => html`<tr><td class="${d.overdue ? 'overdue' : ''}">${plDate(d.deadline)}${d.overdue ? ' (po terminie)' : ''}</td><td><a href="/petycje/${encodeURIComponent(d.id)}">${d.subject}</a></td></tr>`)}</tbody></table>${f.dueTotal > due.length ? html`<p id="terminy-wiecej">Pokazano ${due.length} najbliższych z ${f.dueTotal}. Pełna lista: <a href="/skrzynka?kolejnosc=termin">skrzynka według terminu</a>.</p>` : ''}` : html`<p class="muted">Żaden termin nie upływa w tym tygodniu.</p>`}
</section>
${marksTable(marks)}`,
    '/start',
  );
}

export interface StartFigures {
  weeks: WeekCounts[];
  series: Array<{ id: string; name: string; size: number; values: number[] }>;
  /** the soonest of this week's deadlines (at most DUE_SHOWN) */
  due: Array<{ id: string; subject: string; deadline: string; overdue: boolean }>;
  /** how many deadlines fall this week, and how many of them are not past yet */
  dueTotal: number;
  dueOpen: number;
  overdueTotal: string;
  marks: MarkAgreement;
}

/** What the start page shows on `day`, read from the store (the benchmark times this). */
export async function startFigures(store: Store, ts: TrackStore, day: string): Promise<StartFigures> {
  const span = weeksRange(day, WEEKS);
  const weeks = weeklyByLevel(await ts.levelCounts(span.from, span.before), day, WEEKS);
  const top = (await store.listCampaigns('size', 5, 0)).items.filter((c) => c.size > 1);
  const names = await ensureCampaignNames(ts, top.map((c) => c.id));
  const dates = await ts.campaignMemberDates(top.map((c) => c.id));
  const series = top.map((c) => ({ id: c.id, name: names.get(c.id)?.name ?? c.family ?? c.id, size: c.size, values: growth(dates.get(c.id) ?? [], weeks.map((w) => w.week)) }));
  // deadlines due this week (their text only for those shown)
  const monday = weekStart(day);
  const weekEnd = addDays(monday, 6);
  const dueRows = await dueBetween(ts, monday, weekEnd, day);
  const st = new Map(dueRows.map((i) => [i.r.id, i.s]));
  const due = (await ts.summaries(dueRows.slice(0, DUE_SHOWN).map((i) => i.r.id))).map((p) => ({
    id: p.id,
    subject: p.subject ?? p.excerpt.split('\n').find((l) => l.trim())?.slice(0, 100) ?? p.id,
    deadline: st.get(p.id)!.deadline.date,
    overdue: st.get(p.id)!.overdue,
  }));
  const dueOpen = dueRows.filter((i) => !i.s.overdue).length;
  const overdue = await listByDeadline(ts, { limit: 0, offset: 0 }, { order: 'deadline', overdue: true }, day);
  const overdueTotal = overdue.total_exact === false ? `ponad ${overdue.total.toLocaleString('pl-PL')}` : String(overdue.total);
  return { weeks, series, due, dueTotal: dueRows.length, dueOpen, overdueTotal, marks: markAgreement(await ts.marksWithLevels()) };
}

export function registerStartPage(app: FastifyInstance, store: Store, ts: TrackStore, h: WebHelpers) {
  app.get('/start', { preHandler: h.requireUser }, async (req, reply) => {
    return h.sendHtml(reply, startPage(req.user!, await startFigures(store, ts, today())));
  });
}
