import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../scripts/lib/serve.js';
import { addDays, addMonths, jointDeadline, warsawDate } from '../src/track/deadlines.js';
import { polishDate } from '../src/track/announcements.js';
import { weekStart } from '../src/track/dashboard.js';
import { fixture, repoRoot } from './helpers/paths.js';
import { serveProcess, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';
import { BENCH_PETITION, LIBRARY_PETITION, swimmingCopy } from './helpers/track-texts.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = `${repoRoot}/test-output/screenshots`;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (!existsSync(CHROMIUM)) console.warn(`[sito tests] ${CHROMIUM} is missing: the mass-track browser tests are skipped`);

const today = warsawDate(new Date());
const day = (offset: number) => addDays(today, offset);
const pl = (iso: string) => iso.split('-').reverse().join('.');

/** A receipt date whose 3-month deadline is today (art. 10). */
function receivedForDeadlineToday(): string {
  for (let d = -100; d >= -95 - 31; d--) if (addMonths(day(d), 3) === today) return day(d);
  for (let d = -80; d >= -100; d--) if (addMonths(day(d), 3) === today) return day(d);
  throw new Error('no such day');
}

describe.skipIf(!existsSync(CHROMIUM))('the mass track in a real browser', () => {
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const dir = tempDir();
  const password = 'Urzad-Opoczno-2026!';
  const api = async (path: string, body?: object) => {
    const r = await fetch(`${server.url}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer intake' }, body: JSON.stringify(body) } : { headers: { authorization: 'Bearer intake' } });
    expect(r.status, path).toBe(200);
    return r.json() as Promise<Record<string, any>>;
  };
  // the known set
  const announced = day(-37);
  const waitingEnd = day(-20);
  const petitions = [
    { id: 'OP-1', text: swimmingCopy(0, { consent: true }), received_at: day(-40), sender: { name: 'Katarzyna Wójcik' } },
    { id: 'OP-2', text: swimmingCopy(1), received_at: day(-38), sender: { name: 'Piotr Lewandowski' } },
    { id: 'OP-3', text: swimmingCopy(2, { address: false }), received_at: day(-36) },
    { id: 'OP-4', text: swimmingCopy(3, { addressee: false }), received_at: day(-33) },
    { id: 'OP-5', text: swimmingCopy(4), received_at: day(-3) },
    { id: 'BIB-1', text: LIBRARY_PETITION, received_at: receivedForDeadlineToday(), subject: 'Godziny otwarcia biblioteki' },
    { id: 'LAW-1', text: BENCH_PETITION, received_at: day(-130), subject: 'Ławki przy placu zabaw' },
    { id: 'SZK-1', text: 'Wójt Gminy Sławno\n\nWnoszę o wyznaczenie przejścia dla pieszych przed szkołą w Warninie.\n\nZ poważaniem\nIrena Malinowska\nWarnino 3, 76-100 Sławno', received_at: receivedForDeadlineToday(), subject: 'Przejście dla pieszych przy szkole' },
    { id: 'VEN-1', text: fixture('vendor/led-lighting.txt'), received_at: day(-1) },
  ];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const add = sitoSync(['user', 'add', 'ola', '--role', 'clerk', '--password-stdin'], { input: `${password}\n`, env: { SITO_DATA_DIR: dir } });
    expect(add.status, add.stderr).toBe(0);
    server = await serveProcess({ SITO_DATA_DIR: dir, SITO_API_KEYS: 'intake' }, await freePort());
    for (const p of petitions) await api('/v1/petitions/score', p);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ locale: 'pl-PL', viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/`);
    await page.getByLabel('Login').fill('ola');
    await page.getByLabel('Hasło').fill(password);
    await page.getByRole('button', { name: 'Zaloguj' }).click();
    await page.waitForURL(/\/start/);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sorts the inbox by deadline, marks the overdue one, and shows the formal check with its step', async () => {
    await page.goto(`${server.url}/skrzynka?kolejnosc=termin`);
    const first = page.locator('table.inbox tbody tr').first();
    expect(await first.innerText()).toMatch(/Ławki przy placu zabaw/);
    expect(await first.locator('.overdue').first().innerText()).toBe(pl(addMonths(day(-130), 3)));
    expect(await page.getByRole('row', { name: /Godziny otwarcia biblioteki/ }).innerText()).toMatch(/dziś/);
    await page.screenshot({ path: `${SHOTS}/track-inbox-deadlines.png`, fullPage: true });
    await page.getByLabel('tylko po terminie').check();
    await page.getByRole('button', { name: 'Filtruj' }).click();
    expect(await page.locator('table.inbox tbody tr').count()).toBe(1);

    await page.goto(`${server.url}/petycje/OP-3`);
    expect(await page.locator('.step-leave').innerText()).toMatch(/bez rozpatrzenia \(art\. 7 ust\. 1\)/);
    expect(await page.getByRole('row', { name: /Miejsce zamieszkania lub siedziba/ }).innerText()).toMatch(/brak/);
    await page.locator('#tryb').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/track-petition-formal.png`, fullPage: true });
  }, 60_000);

  it('orders joint consideration from the campaign page and drafts the announcements', async () => {
    const { campaign_id } = await api('/v1/petitions/OP-1');
    expect(campaign_id).toBeTruthy();
    await page.goto(`${server.url}/kampanie/${encodeURIComponent(campaign_id)}`);
    const title = await page.locator('h1').innerText();
    expect(title).not.toContain(campaign_id); // a name a clerk reads, not the id
    await page.screenshot({ path: `${SHOTS}/track-campaign.png`, fullPage: true });

    // the waiting period may not exceed 2 months from the announcement
    await page.getByLabel('Data ogłoszenia na stronie').fill(announced);
    await page.getByLabel(/Koniec okresu oczekiwania/).fill(addDays(addMonths(announced, 2), 1));
    await page.getByRole('button', { name: 'Zarządź łączne rozpatrywanie' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/najwyżej 2 miesiące/);

    await page.getByLabel('Przedmiot (sprawa)').fill('bezpłatnej nauki pływania dla uczniów klas trzecich');
    await page.getByLabel('Data ogłoszenia na stronie').fill(announced);
    await page.getByLabel(/Koniec okresu oczekiwania/).fill(waitingEnd);
    await page.getByRole('button', { name: 'Zarządź łączne rozpatrywanie' }).click();
    await page.waitForURL(/\/wielokrotna\?zarzadzono=1/);

    expect(await page.locator('dl.facts').innerText()).toContain(pl(jointDeadline(waitingEnd)));
    expect(await page.locator('dl.facts').innerText()).toMatch(/ola/);
    expect(await page.locator('#liczba-czlonkow').innerText()).toBe('4');
    expect(await page.getByRole('row', { name: /OP-5/ }).innerText()).toMatch(/po okresie oczekiwania/);
    expect(await page.getByRole('row', { name: /OP-3/ }).innerText()).toMatch(/bez rozpatrzenia \(art\. 7 ust\. 1\)/);
    expect(await page.getByRole('row', { name: /OP-4/ }).innerText()).toMatch(/wezwać do uzupełnienia/);
    const joint = await page.locator('#tekst-laczne').innerText();
    expect(joint).toContain(`do dnia ${polishDate(waitingEnd)}`);
    expect(joint).toContain(polishDate(jointDeadline(waitingEnd)));
    expect(joint).toMatch(/art\. 11 ust\. 2/);
    const call = await page.locator('#tekst-wezwanie').innerText();
    expect(call).toMatch(/petycja nr OP-4 .*brak oznaczenia adresata/);
    expect(call).not.toMatch(/Szymański|Lewandowski|Wójcik/); // no personal data in a public call
    await page.screenshot({ path: `${SHOTS}/track-joint.png`, fullPage: true });

    // the clerk confirms the late copy after all, and records the outcome
    await page.getByRole('button', { name: 'Dołącz OP-5' }).click();
    await page.waitForURL(/zapisano=1/);
    expect(await page.locator('#liczba-czlonkow').innerText()).toBe('5');
    expect((await api('/v1/petitions/OP-5')).deadline).toBe(jointDeadline(waitingEnd));
    await page.getByLabel('Sposób załatwienia (trafi do ogłoszenia)').fill('Rada Miejska przyjęła uchwałę o finansowaniu nauki pływania od 1 września.');
    await page.getByRole('button', { name: 'Zapisz sposób załatwienia' }).click();
    await page.waitForURL(/zapisano=1/);
    expect(await page.locator('#tekst-wynik').innerText()).toMatch(/łącznie 5 petycji[\s\S]*przyjęła uchwałę/);

    // the office's own wording
    await page.goto(`${server.url}/ogloszenia/szablony`);
    await page.getByLabel('Organ (kto ogłasza)').fill('Przewodniczący Rady Miejskiej w Opocznie');
    await page.getByRole('button', { name: 'Zapisz szablony' }).click();
    await page.waitForURL(/zapisano=1/);
    await page.screenshot({ path: `${SHOTS}/track-templates.png`, fullPage: false });
    await page.goto(`${server.url}/kampanie/${encodeURIComponent(campaign_id)}/wielokrotna`);
    expect(await page.locator('#tekst-laczne').innerText()).toContain('Przewodniczący Rady Miejskiej w Opocznie ogłasza, że w dniu');
  }, 60_000);

  it('publishes the register with names only where consent was given, and the yearly summary', async () => {
    await page.goto(`${server.url}/petycje/BIB-1`);
    await page.getByLabel('Zmień stan').selectOption('rozpatrzona');
    await page.getByLabel('Uwaga').fill('Godziny pracy wydłużone od stycznia.');
    await page.getByRole('button', { name: 'Zapisz stan' }).click();
    await page.waitForURL(/stan=1/);

    await page.goto(`${server.url}/rejestr?rok=wszystkie`);
    const row = (id: string) => page.getByRole('row', { name: new RegExp(`^${id} `) });
    expect(await row('OP-1').innerText()).toContain('Katarzyna Wójcik');
    expect(await row('OP-2').innerText()).toContain('brak zgody');
    expect(await row('LAW-1').innerText()).toContain('brak zgody'); // refused in the text
    expect(await row('BIB-1').innerText()).toContain('Małgorzata Zielińska');
    expect(await page.locator('table.register').innerText()).not.toMatch(/Lewandowski|Szymański|Olszewski|Dąbrowska/);
    await page.screenshot({ path: `${SHOTS}/track-register.png`, fullPage: true });

    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const csv = await (await fetch(`${server.url}/rejestr.csv`, { headers: { cookie } })).text();
    expect(csv.split('\r\n')[0]).toBe('Numer,Data złożenia,Przedmiot,"Wnoszący (za zgodą, art. 4 ust. 3)",Przebieg postępowania,Data ostatniej czynności,Termin rozpatrzenia,Petycja wielokrotna,Sposób załatwienia');
    expect(csv).not.toMatch(/Lewandowski|Olszewski/);
    const cli = sitoSync(['register', 'export', '--format', 'json'], { env: { SITO_DATA_DIR: dir } });
    expect(cli.status, cli.stderr).toBe(0);
    const entries = (JSON.parse(cli.stdout) as { petitions: Array<{ number: string; submitter: string | null }> }).petitions;
    expect(entries.find((e) => e.number === 'OP-2')!.submitter).toBeNull();
    expect(entries.find((e) => e.number === 'OP-1')!.submitter).toBe('Katarzyna Wójcik');

    const year = Number(today.slice(0, 4));
    await page.goto(`${server.url}/rejestr/podsumowanie?rok=${year}`);
    expect(await page.locator('#rozpatrzone').innerText()).toBe('2'); // the petycja wielokrotna counts once, plus the library
    await page.screenshot({ path: `${SHOTS}/track-summary.png`, fullPage: true });
    const summary = sitoSync(['register', 'summary', '--year', String(year)], { env: { SITO_DATA_DIR: dir } });
    expect(summary.stdout).toMatch(/Liczba petycji rozpatrzonych: 2/);
    expect(summary.stdout).toMatch(/petycja wielokrotna, 5 petycji/);
    expect(sitoSync(['register', 'summary', '--year', 'zeszły'], { env: { SITO_DATA_DIR: dir } }).stderr).toMatch(/--year/);
  }, 60_000);

  it('draws the start page from the known set: weeks by level, campaign growth, deadlines, marks', async () => {
    const levels = new Map<string, string>();
    for (const p of petitions) levels.set(p.id, (await api(`/v1/petitions/${p.id}`)).result.level);
    // two marks: OP-1 as mass, LAW-1 as regular
    for (const [id, button] of [['OP-1', 'Potwierdzam: petycja masowa'], ['LAW-1', 'To zwykła petycja']] as const) {
      await page.goto(`${server.url}/petycje/${id}`);
      await page.getByRole('button', { name: button }).click();
      await page.waitForURL(/zapisano=1/);
    }
    const confirmed = Number(levels.get('OP-1') === 'high') + Number(levels.get('LAW-1') === 'low');
    const corrected = Number(levels.get('OP-1') === 'low') + Number(levels.get('LAW-1') === 'high');

    await page.goto(`${server.url}/start`);
    const thisWeek = petitions.filter((p) => weekStart(p.received_at) === weekStart(today));
    expect(await page.locator('#ten-tydzien').innerText()).toBe(String(thisWeek.length));
    expect(await page.locator('#po-terminie').innerText()).toBe('1');
    // BIB-1's deadline is today, but it has been dealt with: no deadline left this week
    expect(await page.locator('#terminy').locator('..').innerText()).not.toMatch(/Godziny otwarcia biblioteki/);
    expect(await page.locator('#tabela-terminow').innerText()).toMatch(/Przejście dla pieszych przy szkole/);
    expect(await page.locator('#terminy-tydzien').innerText()).toBe('1');
    expect(await page.locator('#potwierdzone').innerText()).toBe(String(confirmed));
    expect(await page.locator('#poprawione').innerText()).toBe(String(corrected));
    // the chart: one bar segment per (week, level) with petitions; its title names them
    const inChart = petitions.filter((p) => p.received_at >= addDays(weekStart(today), -7 * 11));
    const titles = await page.locator('#wykres-tygodnie rect title').allTextContents();
    expect(titles.reduce((s, t) => s + Number(/(\d+)$/.exec(t)![1]), 0)).toBe(inChart.length);
    const count = (l: string) => inChart.filter((p) => levels.get(p.id) === l).length;
    expect(await page.locator('#wykres-tygodnie desc').textContent()).toContain(`razem ${inChart.length} petycji: wysokie ryzyko ${count('high')}, do sprawdzenia ${count('review')}, niskie ${count('low')}`);
    expect(levels.get('VEN-1')).toBe('high');
    expect(await page.locator('#wykres-tygodnie rect.bar-high').count()).toBeGreaterThan(0);
    expect(await page.locator('#wysokie-tydzien').innerText()).toBe(String(thisWeek.filter((p) => levels.get(p.id) === 'high').length));
    expect(await page.locator('#wykres-kampanie polyline').count()).toBe(1);
    expect(await page.locator('#wykres-kampanie polyline title').textContent()).toMatch(/: 5 petycji/);
    expect(await page.locator('svg[role="img"]').count()).toBe(2);
    await page.screenshot({ path: `${SHOTS}/track-start.png`, fullPage: true });
    const res = await fetch(`${server.url}/logowanie`);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'none'/);
  }, 60_000);

  it('refuses the mass track’s forms without the session’s CSRF token, and bad values with a clear 400', async () => {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const { campaign_id } = await api('/v1/petitions/OP-1');
    const post = (path: string, body: string) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body, redirect: 'manual' });
    for (const path of [`/kampanie/${campaign_id}/wielokrotna`, `/kampanie/${campaign_id}/nazwa`, '/petycje/OP-2/stan', '/ogloszenia/szablony']) {
      expect((await post(path, 'nazwa=x&stan=rozpatrzona&_csrf=forged')).status, path).toBe(403);
    }
    const csrf = await page.goto(`${server.url}/petycje/OP-2`).then(() => page.locator('input[name=_csrf]').first().getAttribute('value'));
    expect((await post('/petycje/OP-2/stan', `stan=wymyslony&_csrf=${csrf}`)).status).toBe(400);
    expect((await post('/petycje/NIE-MA/stan', `stan=rozpatrzona&_csrf=${csrf}`)).status).toBe(404);
    expect((await fetch(`${server.url}/rejestr?rok=dawno`, { headers: { cookie } })).status).toBe(400);
    const renamed = await post(`/kampanie/${campaign_id}/nazwa`, `nazwa=${encodeURIComponent('Nauka pływania dla trzecioklasistów')}&_csrf=${csrf}`);
    expect(renamed.status).toBe(303);
    expect((await api(`/v1/campaigns/${campaign_id}`)).name).toBe('Nauka pływania dla trzecioklasistów');
  });
});
