import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkPassword, hashPassword } from '../auth/passwords.js';
import { closeSession, openSession, sameToken, SESSION_COOKIE, SESSION_HOURS } from '../auth/sessions.js';
import type { Engine } from '../engine.js';
import { auditRequest } from '../audit/audit-trail.js';
import { DEFAULT_THROTTLE, recordFailure, recordSuccess, throttledFor, type ThrottlePolicy } from '../auth/login-throttle.js';
import { requestOrigin } from '../http/api-protection.js';
import type { FairQueue } from '../http/fair-queue.js';
import { prepareScoring, type Runtime } from '../runtime.js';
import { MAX_TEXT_LENGTH } from '../ingest/petition-input.js';
import type { Store } from '../storage/store.js';
import { DocumentError } from '../ingest/documents/errors.js';
import type { ExtractionPool } from '../ingest/documents/isolate.js';
import { readDocument } from '../ingest/documents/read-document.js';
import type { DocumentSettings } from '../ingest/documents/settings.js';
import type { DocumentView } from './document-view.js';
import { ensureCampaignNames } from '../track/campaign-names.js';
import { listByDeadline, standings } from '../track/petition-track.js';
import { campaignExtras, campaignNames, petitionExtras, registerTrackPages } from './pages/track-routes.js';
import { campaignPage, campaignsPage, checkPage, errorPage, inboxPage, loginPage, petitionPage } from './views.js';

const STATIC = fileURLToPath(new URL('../../src/web/static/', import.meta.url));
const LOGIN_CSRF = 'sito_login_csrf';
const PAGE = 25;

type G = { Params: Record<string, string>; Querystring: Record<string, string | undefined>; Body: Record<string, string | undefined> };

const sendHtml = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Only same-site paths may be a post-login destination. */
const safeNext = (n: string | undefined) => (n && /^\/[a-zA-Z0-9/_?=&%.-]*$/.test(n) && !n.startsWith('//') ? n : '/start');

/**
 * The clerks' pages: server-rendered Polish HTML, no script at all, one stylesheet. Every page
 * needs a signed-in clerk or analyst; every form carries the session's CSRF token.
 */
export async function registerWebRoutes(app: FastifyInstance, engine: Engine, store: Store, runtime?: Runtime, documents?: { pool: ExtractionPool; settings: DocumentSettings }, throttle: ThrottlePolicy = DEFAULT_THROTTLE, scoring?: FairQueue): Promise<void> {
  // checked against when the login is unknown, so the answer takes as long as for a known one
  const decoy = hashPassword(randomBytes(16).toString('hex'));
  const css = readFileSync(`${STATIC}sito.css`, 'utf8');
  app.get('/static/sito.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));
  app.get('/', async (_req, reply) => reply.redirect('/start'));

  const secure = (req: FastifyRequest) => req.protocol === 'https';
  const requireUser = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.user) return reply.redirect(`/logowanie?next=${encodeURIComponent(req.url)}`);
  };
  const requireCsrf = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!req.user || !sameToken(typeof token === 'string' ? token : undefined, req.user.csrf)) {
      return sendHtml(reply, errorPage(req.user, 'Odmowa', 'Formularz wygasł lub nie pochodzi z tej strony. Odśwież stronę i spróbuj ponownie.'), 403);
    }
  };

  // Login CSRF: the form's token is an HMAC, under a secret kept in the database, of a random
  // pre-session id in a cookie. An attacker can set a cookie and a field to the same value, but
  // cannot make a token that matches a cookie without the secret; and a cross-origin post is refused.
  const loginSecret = await store.secret('login-csrf');
  const loginToken = (preSession: string) => createHmac('sha256', loginSecret).update(preSession).digest('base64url');
  const preSession = (req: FastifyRequest, reply: FastifyReply) => {
    const id = randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF, id, { path: '/logowanie', httpOnly: true, sameSite: 'strict', secure: secure(req) });
    return loginToken(id);
  };

  app.get<G>('/logowanie', async (req, reply) => sendHtml(reply, loginPage(null, preSession(req, reply), safeNext(req.query.next))));

  app.post<G>('/logowanie', async (req, reply) => {
    const { login = '', password = '', _csrf, next } = req.body ?? {};
    const cookie = req.cookies[LOGIN_CSRF];
    const fresh = preSession(req, reply);
    if (!cookie || !sameToken(_csrf, loginToken(cookie)) || requestOrigin(req) === 'cross') {
      return sendHtml(reply, loginPage('Formularz wygasł — spróbuj ponownie.', fresh, safeNext(next)), 403);
    }
    const name = String(login).trim().slice(0, 200);
    const wait = await throttledFor(store, throttle, name, req.ip);
    if (wait > 0) {
      await auditRequest(store, req, 'sign_in_throttled', name.slice(0, 64), { retry_after: wait });
      return sendHtml(reply.header('retry-after', String(wait)), loginPage(`Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za ${Math.ceil(wait / 60)} min.`, fresh, safeNext(next)), 429);
    }
    const user = await store.userWithHash(name);
    // the hash is checked even for an unknown login, so timing does not tell which logins exist
    const ok = await checkPassword(user?.password_hash ?? (await decoy), String(password));
    if (!user || !ok || user.disabled) {
      req.log.warn({ login: name.slice(0, 64) }, 'failed sign-in');
      const nowWait = await recordFailure(store, throttle, name, req.ip);
      await auditRequest(store, req, 'sign_in_failed', name.slice(0, 64), user?.disabled && ok ? { reason: 'disabled' } : null);
      if (nowWait > 0) reply.header('retry-after', String(nowWait));
      return sendHtml(reply, loginPage('Nieprawidłowy login lub hasło.', fresh, safeNext(next)), 401);
    }
    await recordSuccess(store, user.login);
    await auditRequest(store, req, 'sign_in', user.login);
    const s = await openSession(store, user.login);
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(req), maxAge: SESSION_HOURS * 3600 });
    return reply.redirect(safeNext(next), 303);
  });

  app.post('/wyloguj', { preHandler: requireCsrf }, async (req, reply) => {
    await auditRequest(store, req, 'sign_out', req.user!.login);
    await closeSession(store, req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/logowanie', 303);
  });

  app.get<G>('/skrzynka', { preHandler: requireUser }, async (req, reply) => {
    const q = req.query;
    const level = ['high', 'review', 'low'].includes(q.poziom ?? '') ? (q.poziom as 'high' | 'review' | 'low') : undefined;
    const track = ['petycje_masowe', 'standard'].includes(q.sciezka ?? '') ? (q.sciezka as 'petycje_masowe' | 'standard') : undefined;
    const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(q.strona ?? '1', 10) || 1));
    const search = q.q?.trim().slice(0, 200) || undefined;
    const order = q.kolejnosc === 'termin' ? 'deadline' : 'newest';
    const overdue = q.po_terminie === '1' ? true : undefined;
    const filter = { level, track, q: search, limit: PAGE, offset: (pageNo - 1) * PAGE };
    const ts = store.track;
    const list = order === 'deadline' || overdue ? await listByDeadline(ts, filter, { order, overdue }) : await store.listPetitions(filter);
    const feedback = await store.latestFeedback(list.items.map((i) => i.id));
    const track_ = { standings: await standings(ts, list.items), names: await ensureCampaignNames(ts, [...new Set(list.items.flatMap((i) => (i.campaign ? [i.campaign.id] : [])))]) };
    return sendHtml(reply, inboxPage(req.user!, list, feedback, { poziom: level, sciezka: track, q: search, kolejnosc: order === 'deadline' ? 'termin' : undefined, po_terminie: overdue ? '1' : undefined }, track_));
  });

  app.get<G>('/petycje/:id', { preHandler: requireUser }, async (req, reply) => {
    const p = await store.getPetition(req.params.id!);
    if (!p) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma petycji ${req.params.id}.`), 404);
    const campaign = p.campaign_id ? await store.campaign(p.campaign_id) : null;
    const similar = campaign ? (await store.campaignMembers(campaign.id, 10, 0)).items.filter((m) => m.id !== p.id) : [];
    const fb = (await store.latestFeedback([p.id])).get(p.id) ?? null;
    const d = await store.document(p.id, false);
    const doc = d && { content_type: d.content_type, filename: d.filename, size: d.size, kept: d.bytes !== null, parts: d.parts, skipped: d.skipped };
    return sendHtml(reply, petitionPage(req.user!, p, campaign, similar, fb, req.query.zapisano === '1', doc, await petitionExtras(store, req.user!, p, req.query.stan === '1')));
  });

  app.post<G>('/petycje/:id/ocena', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const label = req.body?.label;
    const id = req.params.id!;
    if (label !== 'mass' && label !== 'regular') return sendHtml(reply, errorPage(req.user, 'Błąd', 'Nieznana ocena.'), 400);
    if (!(await store.hasPetition(id))) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma petycji ${id}.`), 404);
    await store.writeTransaction(async (tx) => {
      await tx.addFeedback({ petition_id: id, label, login: req.user!.login, at: new Date().toISOString() });
      // the mark travels to the clearinghouse under the petition's report id
      await runtime?.clearinghouse?.enqueueMark(id, label, tx.outbox);
    });
    runtime?.clearinghouse?.kick();
    await auditRequest(store, req, 'mark', id, { label });
    return reply.redirect(`/petycje/${encodeURIComponent(id)}?zapisano=1`, 303);
  });

  app.get<G>('/kampanie', { preHandler: requireUser }, async (req, reply) => {
    const order = req.query.kolejnosc === 'last_seen' ? 'last_seen' : 'size';
    const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(req.query.strona ?? '1', 10) || 1));
    const list = await store.listCampaigns(order, PAGE, (pageNo - 1) * PAGE);
    return sendHtml(reply, campaignsPage(req.user!, list, order, await campaignNames(store, list.items.map((c) => c.id))));
  });

  app.get<G>('/kampanie/:id', { preHandler: requireUser }, async (req, reply) => {
    const c = await store.campaign(req.params.id!);
    if (!c) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma kampanii ${req.params.id}.`), 404);
    const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(req.query.strona ?? '1', 10) || 1));
    return sendHtml(reply, campaignPage(req.user!, c, await store.campaignMembers(c.id, PAGE, (pageNo - 1) * PAGE), await campaignExtras(store, req.user!, c)));
  });

  registerTrackPages(app, store, { requireUser, requireCsrf, sendHtml });

  app.get('/sprawdz', { preHandler: requireUser }, async (req, reply) => sendHtml(reply, checkPage(req.user!, '', null, null)));

  app.post('/sprawdz', { preHandler: requireUser }, async (req, reply) => {
    const fields: Record<string, string> = {};
    let file: { bytes: Buffer; type: string; name: string } | null = null;
    const maxFile = documents?.settings.limits.maxBytes ?? 2 * 1024 * 1024;
    try {
      for await (const part of req.parts({ limits: { fileSize: maxFile, files: 1, fields: 4 } })) {
        if (part.type === 'file') {
          const buf = await part.toBuffer();
          if (buf.length) file = { bytes: buf, type: part.mimetype, name: part.filename };
        } else fields[part.fieldname] = String(part.value ?? '');
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return sendHtml(reply, checkPage(req.user!, '', null, `Plik jest większy niż ${Math.round(maxFile / 1024 / 1024)} MB.`), 413);
      throw e;
    }
    if (!sameToken(fields._csrf, req.user!.csrf)) return sendHtml(reply, errorPage(req.user, 'Odmowa', 'Formularz wygasł. Odśwież stronę i spróbuj ponownie.'), 403);
    let fileText = '';
    let doc: DocumentView | null = null;
    if (file) {
      try {
        const read = documents
          ? await readDocument(file.bytes, file.type, file.name, { limits: documents.settings.limits, pool: documents.pool })
          : { text: new TextDecoder('utf-8').decode(file.bytes), parts: [], skipped: [], type: 'text/plain' };
        fileText = read.text;
        doc = { content_type: read.type, filename: file.name, size: file.bytes.length, kept: false, parts: read.parts, skipped: read.skipped };
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        return sendHtml(reply, checkPage(req.user!, '', null, `Nie udało się odczytać pliku ${file.name}: ${e.message}`), e.status);
      }
    }
    const text = fileText || fields.tekst || '';
    if (!text.trim()) return sendHtml(reply, checkPage(req.user!, text, null, 'Wklej treść albo wybierz plik.'), 400);
    if (text.length > MAX_TEXT_LENGTH) return sendHtml(reply, checkPage(req.user!, '', null, 'Tekst jest za długi.'), 413);
    const petition = { text, store: false };
    // the same turn as the API's scorings (one per event-loop iteration)
    const score = async () => {
      const prepared = runtime ? await prepareScoring(runtime, petition) : null;
      return engine.score(petition, prepared?.vector, prepared?.analysis, prepared?.consulted);
    };
    const result = await (scoring ? scoring.run(score) : score());
    const name = result.campaign ? ((await campaignNames(store, [result.campaign.id])).get(result.campaign.id)?.name ?? null) : null;
    return sendHtml(reply, checkPage(req.user!, text, result, null, fileText ? doc : null, name));
  });
}
