import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkPassword, hashPassword } from '../auth/passwords.js';
import { closeSession, openSession, sameToken, SESSION_COOKIE, SESSION_HOURS } from '../auth/sessions.js';
import type { Engine } from '../engine.js';
import { prepareScoring, type Runtime } from '../runtime.js';
import { MAX_TEXT_LENGTH } from '../ingest/petition-input.js';
import type { Store } from '../storage/store.js';
import { campaignPage, campaignsPage, checkPage, errorPage, inboxPage, loginPage, petitionPage } from './views.js';

const STATIC = fileURLToPath(new URL('../../src/web/static/', import.meta.url));
const LOGIN_CSRF = 'sito_login_csrf';
const PAGE = 25;

type G = { Params: Record<string, string>; Querystring: Record<string, string | undefined>; Body: Record<string, string | undefined> };

const sendHtml = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Only same-site paths may be a post-login destination. */
const safeNext = (n: string | undefined) => (n && /^\/[a-zA-Z0-9/_?=&%.-]*$/.test(n) && !n.startsWith('//') ? n : '/skrzynka');

/**
 * The clerks' pages: server-rendered Polish HTML, no script at all, one stylesheet. Every page
 * needs a signed-in clerk or analyst; every form carries the session's CSRF token.
 */
export function registerWebRoutes(app: FastifyInstance, engine: Engine, store: Store, runtime?: Runtime) {
  // checked against when the login is unknown, so the answer takes as long as for a known one
  const decoy = hashPassword(randomBytes(16).toString('hex'));
  const css = readFileSync(`${STATIC}sito.css`, 'utf8');
  app.get('/static/sito.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));
  app.get('/', async (_req, reply) => reply.redirect('/skrzynka'));

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

  app.get<G>('/logowanie', async (req, reply) => {
    const csrf = randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF, csrf, { path: '/logowanie', httpOnly: true, sameSite: 'strict', secure: secure(req) });
    return sendHtml(reply, loginPage(null, csrf, safeNext(req.query.next)));
  });

  app.post<G>('/logowanie', async (req, reply) => {
    const { login = '', password = '', _csrf, next } = req.body ?? {};
    const fresh = randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF, fresh, { path: '/logowanie', httpOnly: true, sameSite: 'strict', secure: secure(req) });
    if (!sameToken(_csrf, req.cookies[LOGIN_CSRF] ?? '')) return sendHtml(reply, loginPage('Formularz wygasł — spróbuj ponownie.', fresh, safeNext(next)), 403);
    const user = store.userWithHash(login.trim());
    // the hash is checked even for an unknown login, so timing does not tell which logins exist
    const ok = await checkPassword(user?.password_hash ?? (await decoy), password);
    if (!user || !ok) {
      req.log.warn({ login: login.slice(0, 64) }, 'failed sign-in');
      return sendHtml(reply, loginPage('Nieprawidłowy login lub hasło.', fresh, safeNext(next)), 401);
    }
    const s = openSession(store, user.login);
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(req), maxAge: SESSION_HOURS * 3600 });
    return reply.redirect(safeNext(next), 303);
  });

  app.post('/wyloguj', { preHandler: requireCsrf }, async (req, reply) => {
    closeSession(store, req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/logowanie', 303);
  });

  app.get<G>('/skrzynka', { preHandler: requireUser }, async (req, reply) => {
    const q = req.query;
    const level = ['high', 'review', 'low'].includes(q.poziom ?? '') ? (q.poziom as 'high' | 'review' | 'low') : undefined;
    const track = ['petycje_masowe', 'standard'].includes(q.sciezka ?? '') ? (q.sciezka as 'petycje_masowe' | 'standard') : undefined;
    const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(q.strona ?? '1', 10) || 1));
    const search = q.q?.trim().slice(0, 200) || undefined;
    const list = store.listPetitions({ level, track, q: search, limit: PAGE, offset: (pageNo - 1) * PAGE });
    const feedback = store.latestFeedback(list.items.map((i) => i.id));
    return sendHtml(reply, inboxPage(req.user!, list, feedback, { poziom: level, sciezka: track, q: search }));
  });

  app.get<G>('/petycje/:id', { preHandler: requireUser }, async (req, reply) => {
    const p = store.getPetition(req.params.id!);
    if (!p) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma petycji ${req.params.id}.`), 404);
    const campaign = p.campaign_id ? store.campaign(p.campaign_id) : null;
    const similar = campaign ? store.campaignMembers(campaign.id, 10, 0).items.filter((m) => m.id !== p.id) : [];
    const fb = store.latestFeedback([p.id]).get(p.id) ?? null;
    return sendHtml(reply, petitionPage(req.user!, p, campaign, similar, fb, req.query.zapisano === '1'));
  });

  app.post<G>('/petycje/:id/ocena', { preHandler: [requireUser, requireCsrf] }, async (req, reply) => {
    const label = req.body?.label;
    const id = req.params.id!;
    if (label !== 'mass' && label !== 'regular') return sendHtml(reply, errorPage(req.user, 'Błąd', 'Nieznana ocena.'), 400);
    if (!store.hasPetition(id)) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma petycji ${id}.`), 404);
    store.writeTransaction(() => {
      store.addFeedback({ petition_id: id, label, login: req.user!.login, at: new Date().toISOString() });
      // the mark travels to the clearinghouse under the petition's report id
      runtime?.clearinghouse?.enqueueMark(id, label);
    });
    runtime?.clearinghouse?.kick();
    return reply.redirect(`/petycje/${encodeURIComponent(id)}?zapisano=1`, 303);
  });

  app.get<G>('/kampanie', { preHandler: requireUser }, async (req, reply) => {
    const order = req.query.kolejnosc === 'last_seen' ? 'last_seen' : 'size';
    const pageNo = Math.max(1, Number.parseInt(req.query.strona ?? '1', 10) || 1);
    return sendHtml(reply, campaignsPage(req.user!, store.listCampaigns(order, PAGE, (pageNo - 1) * PAGE), order));
  });

  app.get<G>('/kampanie/:id', { preHandler: requireUser }, async (req, reply) => {
    const c = store.campaign(req.params.id!);
    if (!c) return sendHtml(reply, errorPage(req.user, 'Nie znaleziono', `Nie ma kampanii ${req.params.id}.`), 404);
    const pageNo = Math.max(1, Number.parseInt(req.query.strona ?? '1', 10) || 1);
    return sendHtml(reply, campaignPage(req.user!, c, store.campaignMembers(c.id, PAGE, (pageNo - 1) * PAGE)));
  });

  app.get('/sprawdz', { preHandler: requireUser }, async (req, reply) => sendHtml(reply, checkPage(req.user!, '', null, null)));

  app.post('/sprawdz', { preHandler: requireUser }, async (req, reply) => {
    const fields: Record<string, string> = {};
    let fileText = '';
    for await (const part of req.parts({ limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 4 } })) {
      if (part.type === 'file') {
        const buf = await part.toBuffer();
        if (buf.length) fileText = new TextDecoder('utf-8').decode(buf);
      } else fields[part.fieldname] = String(part.value ?? '');
    }
    if (!sameToken(fields._csrf, req.user!.csrf)) return sendHtml(reply, errorPage(req.user, 'Odmowa', 'Formularz wygasł. Odśwież stronę i spróbuj ponownie.'), 403);
    const text = fileText || fields.tekst || '';
    if (!text.trim()) return sendHtml(reply, checkPage(req.user!, text, null, 'Wklej treść albo wybierz plik.'), 400);
    if (text.length > MAX_TEXT_LENGTH) return sendHtml(reply, checkPage(req.user!, '', null, 'Tekst jest za długi.'), 413);
    const petition = { text, store: false };
    const prepared = runtime ? await prepareScoring(runtime, petition) : null;
    const result = engine.score(petition, prepared?.vector, prepared?.analysis, prepared?.consulted);
    return sendHtml(reply, checkPage(req.user!, text, result, null));
  });
}
