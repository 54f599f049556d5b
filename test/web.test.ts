import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../scripts/lib/serve.js';
import { fixture, hasShared, repoRoot, seedEmail } from './helpers/paths.js';
import { serveProcess, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';
import { inboxPage } from '../src/web/views.js';
import type { PetitionPage, PetitionSummary } from '../src/storage/store.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = `${repoRoot}/test-output/screenshots`;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (!existsSync(CHROMIUM)) console.warn(`[sito tests] ${CHROMIUM} is missing: the browser tests are skipped (.ci/run installs Debian's chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('clerks’ pages in a real browser', () => {
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const dir = tempDir();
  const password = 'Bardzo-Tajne-Haslo-2026';
  const score = async (body: object) => {
    const r = await fetch(`${server.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer intake-key' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    return r.json() as Promise<{ id: string; level: string }>;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const add = sitoSync(['user', 'add', 'kasia', '--role', 'clerk', '--password-stdin'], { input: `${password}\n`, env: { SITO_DATA_DIR: dir } });
    expect(add.status, add.stderr).toBe(0);
    server = await serveProcess({ SITO_DATA_DIR: dir, SITO_API_KEYS: 'intake-key' }, await freePort());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ locale: 'pl-PL', viewport: { width: 1280, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses every page and petition API without signing in', async () => {
    for (const path of ['/skrzynka', '/kampanie', '/sprawdz', '/petycje/x']) {
      const r = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(r.status, path).toBe(302);
      expect(r.headers.get('location')).toMatch(/^\/logowanie/);
    }
    for (const path of ['/v1/petitions', '/v1/campaigns', '/v1/petitions/x']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
  });

  it('signs in, shows the seed petition as high risk, highlights g1ant.com with its description, and keeps a clerk’s mark', async () => {
    // without ../shared: a vendor offer of our own that links a known vendor's site
    const text = hasShared ? seedEmail() : `${fixture('vendor/led-lighting.txt')}\n\nDemo rozwiązania: https://g1ant.com/rpa-dla-urzedow\n`;
    const vendorDomain = 'g1ant.com';
    await score({ id: 'KC-2024-153', text, subject: 'Petycja numer 2024/01', sender: { name: 'Tom Kmiecik', email: 'tom@g1ant.com' } });
    await score({ id: 'KC-2024-154', text: fixture('genuine/pavement-email.txt'), subject: 'Chodnik na Kwiatowej', sender: { name: 'Anna Wiśniewska' } });

    await page.goto(`${server.url}/skrzynka`);
    await expect.poll(() => page.url()).toMatch(/\/logowanie/);
    await page.getByLabel('Login').fill('kasia');
    await page.getByLabel('Hasło').fill(password);
    await page.getByRole('button', { name: 'Zaloguj' }).click();
    await page.waitForURL(/\/skrzynka/);

    const row = page.getByRole('row', { name: /Petycja numer 2024\/01/ });
    await expect.poll(() => row.getByText('Wysokie ryzyko — masowa/komercyjna').count()).toBe(1);
    await expect.poll(() => page.getByRole('row', { name: /Chodnik na Kwiatowej/ }).getByText('Niskie').count()).toBe(1);
    expect(await page.getByText('Anna Wiśniewska').count()).toBe(1); // diacritics as sent
    await page.screenshot({ path: `${SHOTS}/inbox.png`, fullPage: true });

    await row.getByRole('link').click();
    await page.waitForURL(/\/petycje\/KC-2024-153/);
    // overlapping evidence is cut into pieces; the piece with the vendor's name carries the vendor-domain reason
    const mark = page.locator('mark.ev', { hasText: vendorDomain.split('.')[0]! }).first();
    expect(await mark.getAttribute('title')).toMatch(/Link lub adres e-mail firmy znanej z masowej wysyłki petycji/);
    expect(await page.getByRole('cell', { name: /Link lub adres e-mail firmy znanej z masowej wysyłki petycji/ }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/petition.png`, fullPage: false });
    await mark.scrollIntoViewIfNeeded();
    await page.locator('.petition-text').screenshot({ path: `${SHOTS}/petition-evidence.png` });

    await page.getByRole('button', { name: 'Potwierdzam: petycja masowa' }).click();
    await page.waitForURL(/zapisano=1/);
    await page.reload();
    expect(await page.getByText(/Potwierdzono: petycja masowa — kasia/).count()).toBe(1);
    await page.goto(`${server.url}/skrzynka`);
    expect(await page.getByRole('row', { name: /Petycja numer 2024\/01/ }).getByText('Potwierdzono: petycja masowa').count()).toBe(1);

    const exported = sitoSync(['feedback', 'export'], { env: { SITO_DATA_DIR: dir } });
    expect(exported.stdout.split('\n')[0]).toBe('id,label,text,subject,sender_email,received_at,marked_by,marked_at');
    expect(exported.stdout).toMatch(/^KC-2024-153,mass,/m);
  }, 60_000);

  it('renders a petition with <script> and <img onerror> as inert text', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const hostile = 'Petycja <script>window.__pwned = 1; alert("xss")</script> w sprawie <img src=x onerror="window.__pwned = 2; alert(1)"> lamp przy ul. Lipowej.';
    await score({ id: 'XSS-1', text: hostile, subject: '<b onmouseover=alert(1)>Lampy</b>' });
    await page.goto(`${server.url}/petycje/XSS-1`);
    // the text as a sighted reader sees it (evidence marks add hidden labels and reason numbers)
    const shown = await page.locator('.petition-text').evaluate((el) => {
      const copy = el.cloneNode(true) as typeof el;
      copy.querySelectorAll('.visually-hidden, sup').forEach((n: { remove: () => void }) => n.remove());
      return copy.textContent ?? '';
    });
    expect(shown).toContain('<script>window.__pwned = 1; alert("xss")</script>');
    await page.goto(`${server.url}/skrzynka`);
    expect(await page.getByText('<b onmouseover=alert(1)>Lampy</b>').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    const res = await fetch(`${server.url}/logowanie`);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'none'/);
  });

  it('checks a pasted text without storing it, usable by keyboard alone', async () => {
    await page.goto(`${server.url}/sprawdz`);
    await page.getByLabel('Treść petycji').focus();
    await page.keyboard.insertText(fixture('vendor/nis2-audit.txt'));
    await page.keyboard.press('Tab'); // the file input
    await page.keyboard.press('Tab'); // the button
    await page.keyboard.press('Enter');
    await page.waitForSelector('#wynik');
    expect(await page.locator('#wynik ~ p .badge-high').count()).toBe(1);
    const list = (await (await fetch(`${server.url}/v1/petitions?q=CyberStra`, { headers: { authorization: 'Bearer intake-key' } })).json()) as { total: number };
    expect(list.total).toBe(0);
  });

  it('refuses a form without the session’s CSRF token', async () => {
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'sito_session')!;
    const r = await fetch(`${server.url}/petycje/KC-2024-153/ocena`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sito_session=${session.value}` },
      body: 'label=regular&_csrf=forged',
      redirect: 'manual',
    });
    expect(r.status).toBe(403);
  });

  it('signs out, after which pages and the API refuse the old session', async () => {
    const cookies = await page.context().cookies();
    const old = cookies.find((c) => c.name === 'sito_session')!.value;
    await page.goto(`${server.url}/skrzynka`);
    await page.getByRole('button', { name: 'Wyloguj' }).click();
    await page.waitForURL(/\/logowanie/);
    await page.goto(`${server.url}/skrzynka`);
    expect(page.url()).toMatch(/\/logowanie/);
    const api = await fetch(`${server.url}/v1/petitions`, { headers: { cookie: `sito_session=${old}` } });
    expect(api.status).toBe(401);
  });
});

describe('the inbox pager when the total is counted only up to 10 000', () => {
  const clerk = { login: 'kasia', role: 'clerk' as const, csrf: 'x', expires_at: '2099-01-01T00:00:00Z' };
  const row = (i: number): PetitionSummary => ({
    id: `p-${i}`, received_at: null, stored_at: '2026-03-01T08:00:00Z', subject: 'Chodnik', sender: { name: null, email: null },
    excerpt: 'Prośba o naprawę chodnika.', score: 0.1, level: 'low', track: 'standard', campaign: null,
  });
  const inbox = (p: Omit<PetitionPage, 'items'>, n: number) => inboxPage(clerk, { ...p, items: Array.from({ length: n }, (_, i) => row(i)) }, new Map(), { q: 'chodnik' });
  const pager = (htmlText: string) => /<nav class="pager"[\s\S]*?<\/nav>/.exec(htmlText)![0];

  it('says "ponad 10 000" instead of a page count, and offers the next page while the page is full', () => {
    const deep = pager(inbox({ total: 10_000, total_exact: false, limit: 50, offset: 20_000 }, 50));
    expect(deep).toMatch(/Strona 401 \(ponad 10\s000\)/);
    expect(deep).not.toMatch(/ z \d/);
    expect(deep).toContain('strona=402');
    expect(deep).toContain('strona=400');
    // the first page of a capped listing: more pages for certain
    expect(pager(inbox({ total: 10_000, total_exact: false, limit: 50, offset: 0 }, 50))).toContain('strona=2');
    // a page that is not full is the last
    expect(pager(inbox({ total: 10_000, total_exact: false, limit: 50, offset: 20_050 }, 7))).not.toContain('rel="next"');
  });

  it('an exact total keeps "Strona N z M (total)"', () => {
    const exact = pager(inbox({ total: 120, total_exact: true, limit: 50, offset: 50 }, 50));
    expect(exact).toContain('Strona 2 z 3 (120)');
    expect(exact).not.toContain('ponad');
    expect(exact).toContain('strona=3');
    expect(pager(inbox({ total: 120, total_exact: true, limit: 50, offset: 100 }, 20))).not.toContain('rel="next"');
  });
});
