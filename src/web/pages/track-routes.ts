/**
 * Routes of the mass track's pages: progress of a petition, campaign names, petycja wielokrotna,
 * announcement templates, the website register and the yearly summary, the clerks' start page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Campaign, Joint, Session, Store, StoredPetition, TrackStore } from '../../storage/store.js';
import { ANNOUNCEMENT_KINDS, completionDue, DEFAULT_ORGAN, DEFAULT_TEMPLATES, isAnnouncementKind, polishDate, renderTemplate, type AnnouncementKind } from '../../track/announcements.js';
import { ensureCampaignNames } from '../../track/campaign-names.js';
import { latestWaitingEnd, warsawDate } from '../../track/deadlines.js';
import { checkFormal } from '../../track/formal.js';
import { planJoint, propose } from '../../track/joint-consideration.js';
import { today, trackFields } from '../../track/petition-track.js';
import { isStatus } from '../../track/status.js';
import type { SafeHtml } from '../html.js';
import { errorPage } from '../views.js';
import { jointPage, templatesPage, type MemberRow } from './joint.js';
import { campaignTrackSection, petitionTrackSection, plDate } from './track-parts.js';
import { registerRegisterPages } from './register.js';
import { registerStartPage } from './start.js';

type G = { Params: Record<string, string>; Querystring: Record<string, string | undefined>; Body: Record<string, string | undefined> };
type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export interface WebHelpers {
  requireUser: Hook;
  requireCsrf: Hook;
  sendHtml: (reply: FastifyReply, body: string, code?: number) => FastifyReply;
}

const ORGAN = '_organ';
const PLACE = '_miejscowosc';

/** The petition page's mass-track section (deadline, progress, formal check). */
export async function petitionExtras(store: Store, user: Session, p: StoredPetition, saved: boolean): Promise<{ section: SafeHtml; campaignName: string | null }> {
  const ts = store.track;
  const names = p.campaign_id ? await ensureCampaignNames(ts, [p.campaign_id]) : new Map<string, { name: string }>();
  return { section: petitionTrackSection(user, p, await trackFields(ts, p), saved), campaignName: p.campaign_id ? (names.get(p.campaign_id)?.name ?? null) : null };
}

/** The campaign page's name and petycja wielokrotna sections. */
export async function campaignExtras(store: Store, user: Session, c: Campaign, error: string | null = null): Promise<{ name: string | null; section: SafeHtml }> {
  const ts = store.track;
  const name = (await ensureCampaignNames(ts, [c.id])).get(c.id) ?? null;
  const joint = await ts.jointOfCampaign(c.id);
  const day = today();
  const first = (await store.campaignMembers(c.id, 1, 0)).items[0];
  return {
    name: name?.name ?? null,
    section: campaignTrackSection(user, c, name, joint, { announced: day, waitingEnd: latestWaitingEnd(day), subject: first?.subject ?? matterOf(c.representative_text) ?? name?.name ?? '' }, error),
  };
}

/** The matter a campaign's text asks about ("Petycja w sprawie X" → "X"), for the joint consideration's subject. */
function matterOf(text: string | null): string | null {
  if (!text) return null;
  const ev = checkFormal({ text }).elements.subject.evidence[0]?.text;
  return ev ? ev.replace(/^\s*(?:petycj\p{L}*\s+w\s+sprawie|w\s+sprawie\s*:|dotyczy\s*:|przedmiot(?:em)?\s+petycji\s*:?)\s*/iu, '').trim().slice(0, 300) || null : null;
}

export function campaignNames(store: Store, ids: string[]): Promise<Map<string, { name: string }>> {
  return ensureCampaignNames(store.track, ids);
}

async function templates(ts: TrackStore): Promise<{ bodies: Record<AnnouncementKind, string>; organ: string; place: string }> {
  const stored = await ts.templates();
  const bodies = Object.fromEntries((Object.keys(ANNOUNCEMENT_KINDS) as AnnouncementKind[]).map((k) => [k, stored.get(k)?.body ?? DEFAULT_TEMPLATES[k]])) as Record<AnnouncementKind, string>;
  return { bodies, organ: stored.get(ORGAN)?.body ?? DEFAULT_ORGAN, place: stored.get(PLACE)?.body ?? '' };
}

/** Every petition of the campaign with Sito's proposal and the clerk's decision; clear members are recorded as such (`tx`: inside a write transaction). */
async function memberRows(tx: Store, c: Campaign, j: Joint): Promise<MemberRow[]> {
  const ts = tx.track;
  const all = (await tx.campaignMembers(c.id, 1000, 0)).items;
  const first = all.map((m) => warsawDate(m.received_at ?? m.stored_at)).sort()[0] ?? j.announced_on;
  const decisions = await ts.jointMembers(j.seq);
  const rows: MemberRow[] = [];
  for (const m of [...all].sort((a, b) => (a.received_at ?? a.stored_at).localeCompare(b.received_at ?? b.stored_at))) {
    const full = await tx.getPetition(m.id);
    const template = full?.result.reasons.filter((r) => r.signal === 'template' && r.similarity !== undefined).map((r) => r.similarity!) ?? [];
    const similarity = m.id === c.representative_petition ? 1 : template.length ? Math.max(...template) : null;
    const { proposal, why } = propose({ id: m.id, received: m.received_at ?? m.stored_at, similarity }, first, j.waiting_end);
    let decision = decisions.get(m.id) ?? null;
    if (!decision && proposal === 'member') {
      await ts.setMember(j.seq, m.id, 'member', 'Sito (automatycznie)');
      decision = (await ts.jointMembers(j.seq)).get(m.id) ?? null;
    }
    const formal = full ? checkFormal({ text: full.text, subject: full.subject, sender: full.sender }).step : 'consider';
    rows.push({ petition: m, proposal, why, decision, formal });
  }
  return rows;
}

async function announcements(store: Store, j: Joint, rows: MemberRow[]): Promise<Record<AnnouncementKind, string>> {
  const t = await templates(store.track);
  const members = rows.filter((r) => r.decision?.state === 'member');
  const day = today();
  const petitions = await Promise.all(members.map((r) => store.getPetition(r.petition.id)));
  const gaps = petitions.flatMap((p) => {
    if (!p) return [];
    const f = checkFormal({ text: p.text, subject: p.subject, sender: p.sender });
    if (f.step !== 'call_to_complete') return [];
    const missing = [!f.elements.addressee.found && 'oznaczenia adresata (art. 4 ust. 2 pkt 3)', !f.elements.subject.found && 'wskazania przedmiotu (art. 4 ust. 2 pkt 4)'].filter(Boolean).join(', ');
    // no personal data in a public call: the petition's number and date only
    return [`– petycja nr ${p.id} z dnia ${plDate(warsawDate(p.received_at ?? p.stored_at))}: brak ${missing}`];
  });
  const values: Record<string, string> = {
    organ: t.organ,
    przedmiot: j.subject,
    data_zarzadzenia: polishDate(warsawDate(j.ordered_at)),
    liczba: String(members.length),
    koniec_oczekiwania: polishDate(j.waiting_end),
    termin: polishDate(j.deadline),
    termin_uzupelnienia: polishDate(completionDue(day)),
    lista_brakow: gaps.length ? gaps.join('\n') : 'Wszystkie petycje składające się na petycję wielokrotną wskazują adresata i przedmiot — wezwanie nie jest potrzebne.',
    sposob_zalatwienia: j.outcome ?? '[sposób załatwienia — uzupełnij poniżej]',
    miejscowosc_data: `${t.place ? `${t.place}, ` : ''}${polishDate(day)} r.`,
  };
  return Object.fromEntries((Object.keys(ANNOUNCEMENT_KINDS) as AnnouncementKind[]).map((k) => [k, renderTemplate(t.bodies[k], values)])) as Record<AnnouncementKind, string>;
}

export function registerTrackPages(app: FastifyInstance, store: Store, h: WebHelpers) {
  const ts = store.track;
  const { requireUser, requireCsrf, sendHtml } = h;
  const notFound = (req: FastifyRequest, reply: FastifyReply, what: string) => sendHtml(reply, errorPage(req.user, 'Nie znaleziono', what), 404);

  app.post<G>('/petycje/:id/stan', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const id = req.params.id!;
    const status = req.body?.stan;
    if (!isStatus(status)) return sendHtml(reply, errorPage(req.user, 'Błąd', 'Nieznany stan sprawy.'), 400);
    if (!(await store.hasPetition(id))) return notFound(req, reply, `Nie ma petycji ${id}.`);
    const note = req.body?.uwaga?.trim().slice(0, 500) || null;
    await store.writeTransaction((tx) => tx.track.addStatus({ petition_id: id, status, note, login: req.user!.login, at: new Date().toISOString() }));
    return reply.redirect(`/petycje/${encodeURIComponent(id)}?stan=1`, 303);
  });

  app.post<G>('/kampanie/:id/nazwa', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    if (!c) return notFound(req, reply, `Nie ma kampanii ${req.params.id}.`);
    const name = req.body?.nazwa?.replace(/\s+/g, ' ').trim().slice(0, 120);
    if (!name) return sendHtml(reply, errorPage(req.user, 'Błąd', 'Nazwa nie może być pusta.'), 400);
    await store.writeTransaction((tx) => tx.track.setCampaignName(c.id, name, [], 'clerk', req.user!.login));
    return reply.redirect(`/kampanie/${encodeURIComponent(c.id)}`, 303);
  });

  app.post<G>('/kampanie/:id/wielokrotna', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    if (!c) return notFound(req, reply, `Nie ma kampanii ${req.params.id}.`);
    if (await ts.jointOfCampaign(c.id)) return reply.redirect(`/kampanie/${encodeURIComponent(c.id)}/wielokrotna`, 303);
    const subject = req.body?.przedmiot?.replace(/\s+/g, ' ').trim().slice(0, 300);
    const plan = planJoint(req.body?.data_ogloszenia ?? '', req.body?.koniec_oczekiwania ?? '');
    const error = !subject ? 'Podaj przedmiot sprawy.' : 'field' in plan ? plan.message : null;
    if (error || 'field' in plan) {
      const { campaignPage } = await import('../views.js');
      return sendHtml(reply, campaignPage(req.user!, c, await store.campaignMembers(c.id, 25, 0), await campaignExtras(store, req.user!, c, error)), 400);
    }
    await store.writeTransaction((tx) => tx.track.createJoint({ campaign_id: c.id, subject: subject!, ordered_by: req.user!.login, ordered_at: new Date().toISOString(), ...plan }));
    return reply.redirect(`/kampanie/${encodeURIComponent(c.id)}/wielokrotna?zarzadzono=1`, 303);
  });

  app.get<G>('/kampanie/:id/wielokrotna', { preHandler: requireUser }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    const j = c && (await ts.jointOfCampaign(c.id));
    if (!c || !j) return notFound(req, reply, `Kampania ${req.params.id} nie ma petycji wielokrotnej.`);
    const rows = await store.writeTransaction((tx) => memberRows(tx, c, j));
    const name = (await ensureCampaignNames(ts, [c.id])).get(c.id)?.name ?? c.family ?? c.id;
    const notice = req.query.zarzadzono ? 'Zarządzono łączne rozpatrywanie. Opublikuj ogłoszenie poniżej na stronie internetowej urzędu.' : req.query.zapisano ? 'Zapisano.' : null;
    return sendHtml(reply, jointPage(req.user!, c, name, j, rows, await announcements(store, j, rows), notice));
  });

  app.post<G>('/kampanie/:id/wielokrotna/czlonkowie', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    const j = c && (await ts.jointOfCampaign(c.id));
    if (!c || !j) return notFound(req, reply, `Kampania ${req.params.id} nie ma petycji wielokrotnej.`);
    const decision = req.body?.decyzja;
    const pid = req.body?.petycja ?? '';
    if (decision !== 'member' && decision !== 'rejected') return sendHtml(reply, errorPage(req.user, 'Błąd', 'Nieznana decyzja.'), 400);
    if ((await store.getPetition(pid))?.campaign_id !== c.id) return sendHtml(reply, errorPage(req.user, 'Błąd', `Petycja ${pid} nie należy do tej kampanii.`), 400);
    await store.writeTransaction((tx) => tx.track.setMember(j.seq, pid, decision, req.user!.login));
    return reply.redirect(`/kampanie/${encodeURIComponent(c.id)}/wielokrotna?zapisano=1`, 303);
  });

  app.post<G>('/kampanie/:id/wielokrotna/wynik', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    const j = c && (await ts.jointOfCampaign(c.id));
    if (!c || !j) return notFound(req, reply, `Kampania ${req.params.id} nie ma petycji wielokrotnej.`);
    const outcome = req.body?.sposob?.trim().slice(0, 4000);
    if (!outcome) return sendHtml(reply, errorPage(req.user, 'Błąd', 'Opisz sposób załatwienia.'), 400);
    await store.writeTransaction((tx) => tx.track.setOutcome(j.seq, outcome, req.user!.login));
    return reply.redirect(`/kampanie/${encodeURIComponent(c.id)}/wielokrotna?zapisano=1`, 303);
  });

  app.get<G>('/ogloszenia/szablony', { preHandler: requireUser }, async (req, reply) => {
    const t = await templates(ts);
    return sendHtml(reply, templatesPage(req.user!, t.bodies, t.organ, t.place, req.query.zapisano === '1'));
  });

  app.post<G>('/ogloszenia/szablony', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const b = req.body ?? {};
    await store.writeTransaction(async (tx) => {
      for (const [k, v] of Object.entries(b)) {
        if (typeof v !== 'string') continue;
        if (isAnnouncementKind(k) && v.trim()) await tx.track.setTemplate(k, v.replace(/\r\n/g, '\n').slice(0, 8000), req.user!.login);
        if (k === 'organ' && v.trim()) await tx.track.setTemplate(ORGAN, v.trim().slice(0, 200), req.user!.login);
        if (k === 'miejscowosc') await tx.track.setTemplate(PLACE, v.trim().slice(0, 100), req.user!.login);
      }
    });
    return reply.redirect('/ogloszenia/szablony?zapisano=1', 303);
  });

  registerRegisterPages(app, store, ts, h);
  registerStartPage(app, store, ts, h);
}
