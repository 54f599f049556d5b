import { signIn } from './helpers/sign-in.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/serve.js';
import { foldText } from '../src/normalise/fold.js';
import { airCampaign, BUS_SHELTER, LIBRARY, OFFICE_EDITS, RESIDENTS, youthCouncil } from './helpers/clearinghouse-texts.js';
import { bin, serveProcess, sitoAsync, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';

/**
 * Four offices and one clearinghouse, each a real `sito` process with its own data folder. The
 * offices report every stored petition and consult the clearinghouse while scoring.
 */
const SECRET = 'federacja-powiatu-testowego-2024';
const OFFICES = ['gmina-zalesie', 'gmina-brzozowka', 'miasto-dabrowa', 'gmina-stare-pole'];
const keyOf = (office: string) => `klucz-${office}-0123456789`;
const KEYS = OFFICES.map((o) => `${keyOf(o)}:${o}`).join(',');

interface Clearinghouse {
  url: string;
  child: ChildProcess;
}

async function startClearinghouse(dataDir: string, port: number): Promise<Clearinghouse> {
  const child = spawn(process.execPath, [bin, 'clearinghouse', 'serve', '--port', String(port)], {
    env: { ...process.env, SITO_DATA_DIR: dataDir, SITO_CLEARINGHOUSE_KEYS: KEYS, SITO_LOG_LEVEL: 'warn', SITO_DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`clearinghouse exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`clearinghouse did not start: ${stderr}`);
}

const killed = (c: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill(signal);
  });

interface Reason {
  signal: string;
  id: string;
  offices?: number;
  first_seen?: string;
  description: string;
  contribution: number;
}
interface Result {
  id: string;
  level: string;
  score: number;
  reasons: Reason[];
  clearinghouse?: { consulted: boolean; offices?: number; problem?: string };
}

describe('cross-office clearinghouse: four offices, one clearinghouse, real processes', () => {
  const chDir = tempDir('sito-ch-');
  let chPort: number;
  let ch: Clearinghouse;
  const offices: ServeProcess[] = [];
  const officeDirs = OFFICES.map(() => tempDir('sito-office-'));
  const reported: string[] = [];

  const score = async (i: number, body: { id: string; text: string; received_at?: string }) => {
    const r = await fetch(`${offices[i]!.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    reported.push(body.text);
    return (await r.json()) as Result;
  };
  const health = async (i: number) =>
    ((await (await fetch(`${offices[i]!.url}/health`)).json()) as { clearinghouse: { url: string; reachable: boolean | null; pending_reports: number; last_error: string | null } }).clearinghouse;
  /** Waits until the office's outbox is empty (its reports reached the clearinghouse). */
  const delivered = async (i: number) => {
    await expect.poll(async () => (await health(i)).pending_reports, { timeout: 15_000, interval: 100 }).toBe(0);
  };
  const elsewhere = (r: Result) => r.reasons.find((x) => x.signal === 'clearinghouse');

  beforeAll(async () => {
    chPort = await freePort();
    ch = await startClearinghouse(chDir, chPort);
    for (const [i, office] of OFFICES.entries()) {
      offices.push(
        await serveProcess(
          {
            SITO_DATA_DIR: officeDirs[i]!,
            SITO_CLEARINGHOUSE_URL: ch.url,
            SITO_CLEARINGHOUSE_KEY: keyOf(office),
            SITO_FEDERATION_SECRET: SECRET,
            // a loaded test machine: give look-ups time; the kill test relies on a refused connection, not on this
            SITO_CLEARINGHOUSE_WAIT_MS: '3000',
            SITO_CLEARINGHOUSE_RETRY_MAX_MS: '400',
          },
          await freePort(),
        ),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const o of offices) await o.stop();
    if (ch) await killed(ch.child, 'SIGTERM');
  });

  it('flags later copies of one template, edited per office, with the number of other offices', async () => {
    const days = ['2024-05-06', '2024-05-07', '2024-05-09', '2024-05-13'];
    const results: Result[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(await score(i, { id: `AIR-${i}`, text: airCampaign(OFFICE_EDITS[i]!), received_at: days[i]! }));
      await delivered(i);
    }
    // the first office has nothing to compare with: the text alone does not make it high
    expect(results[0]!.clearinghouse).toEqual({ consulted: true, offices: 0 });
    expect(elsewhere(results[0]!)).toBeUndefined();
    expect(results[0]!.level).not.toBe('high');
    expect(elsewhere(results[1]!)?.offices).toBe(1);
    for (const [n, r] of [[2, results[2]!], [3, results[3]!]] as const) {
      const reason = elsewhere(r)!;
      expect(reason).toMatchObject({ id: 'seen_at_other_offices', offices: n, first_seen: '2024-05-06' });
      expect(reason.description).toBe(`Ta sama treść wpłynęła do ${n} innych urzędów (pierwsza: 6 maja 2024)`);
      expect(reason.contribution).toBeGreaterThan(4);
      expect(r.level, JSON.stringify(r, null, 1)).toBe("high");
      expect(r.clearinghouse).toEqual({ consulted: true, offices: n });
    }
  }, 60_000);

  it("leaves residents' own petitions alone", async () => {
    for (let i = 0; i < 4; i++) {
      const r = await score(i, { id: `RES-${i}`, text: RESIDENTS[i]! });
      expect(r.clearinghouse).toEqual({ consulted: true, offices: 0 });
      expect(elsewhere(r)).toBeUndefined();
      await delivered(i);
    }
  }, 60_000);

  it('does not count one office sending a text twice as other offices', async () => {
    await score(0, { id: 'YC-1', text: youthCouncil('Zalesie', 4) });
    await delivered(0);
    const again = await score(0, { id: 'YC-2', text: youthCouncil('Zalesie', 5) });
    expect(again.clearinghouse).toEqual({ consulted: true, offices: 0 });
    await delivered(0);
    const other = await score(1, { id: 'YC-3', text: youthCouncil('Brzozówka', 11) });
    expect(elsewhere(other)).toMatchObject({ offices: 1, description: expect.stringMatching(/^Ta sama treść wpłynęła do 1 innego urzędu/) });
  }, 60_000);

  it('refuses a wrong key with 401, and an office with a wrong key scores without it, saying so', async () => {
    const r = await fetch(`${ch.url}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key-of-any-office' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toBe('unauthorized');
    expect((await fetch(`${ch.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reports":[]}' })).status).toBe(401);
    const stranger = await serveProcess(
      { SITO_DATA_DIR: tempDir('sito-office-'), SITO_CLEARINGHOUSE_URL: ch.url, SITO_CLEARINGHOUSE_KEY: 'klucz-ktorego-nikt-nie-wydal', SITO_FEDERATION_SECRET: SECRET },
      await freePort(),
    );
    try {
      const res = await fetch(`${stranger.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: airCampaign(OFFICE_EDITS[0]!), store: false }) });
      const body = (await res.json()) as Result;
      expect(body.clearinghouse).toEqual({ consulted: false, problem: 'the clearinghouse answered 401 (the office key was refused)' });
      expect(elsewhere(body)).toBeUndefined();
    } finally {
      await stranger.stop();
    }
  }, 60_000);

  it("lets an office set and change its own marks, shows others only counts, and never another office's mark", async () => {
    const id = '7d4f1c2e-5b6a-4c8d-9e0f-112233445566';
    const head = (office: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${keyOf(office)}` });
    // a report made directly with office A's key, so the test knows its id
    const signature = Buffer.alloc(1024, 7).toString('base64');
    const post = await fetch(`${ch.url}/v1/reports`, { method: 'POST', headers: head(OFFICES[0]!), body: JSON.stringify({ reports: [{ id, signature, shingles: 80, received_day: '2024-06-01' }] }) });
    expect(await post.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await fetch(`${ch.url}/v1/reports`, { method: 'POST', headers: head(OFFICES[0]!), body: JSON.stringify({ reports: [{ id, signature, shingles: 80, received_day: '2024-06-01' }] }) });
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const mark = (office: string, m: string | null) => fetch(`${ch.url}/v1/reports/${id}/mark`, { method: 'PUT', headers: head(office), body: JSON.stringify({ mark: m }) });
    expect((await mark(OFFICES[0]!, 'mass')).status).toBe(200);
    // another office can neither read nor change it
    expect((await fetch(`${ch.url}/v1/reports/${id}`, { headers: head(OFFICES[1]!) })).status).toBe(404);
    expect((await mark(OFFICES[1]!, 'regular')).status).toBe(404);
    expect(await (await fetch(`${ch.url}/v1/reports/${id}`, { headers: head(OFFICES[0]!) })).json()).toEqual({ id, received_day: '2024-06-01', mark: 'mass' });
    // …and sees only how many other offices marked the text each way
    const look = async (office: string) => (await (await fetch(`${ch.url}/v1/lookup`, { method: 'POST', headers: head(office), body: JSON.stringify({ signature, shingles: 80 }) })).json()) as object;
    expect(await look(OFFICES[1]!)).toEqual({ offices: 1, first_seen: '2024-06-01', marks: { mass: 1, regular: 0 } });
    expect(await look(OFFICES[0]!)).toEqual({ offices: 0, first_seen: null, marks: { mass: 0, regular: 0 } });
    expect((await mark(OFFICES[0]!, 'regular')).status).toBe(200);
    expect(await look(OFFICES[2]!)).toEqual({ offices: 1, first_seen: '2024-06-01', marks: { mass: 0, regular: 1 } });
  }, 30_000);

  it("carries a clerk's mark from the petition page to the clearinghouse, where it lowers the signal", async () => {
    const password = 'Haslo-Urzednika-2024';
    const add = sitoSync(['user', 'add', 'ewa', '--role', 'clerk', '--password-stdin'], { input: `${password}\n`, env: { SITO_DATA_DIR: officeDirs[3]! } });
    expect(add.status, add.stderr).toBe(0);
    const base = offices[3]!.url;
    const session = await signIn(base, 'ewa', password);
    const inbox = await (await fetch(`${base}/skrzynka`, { headers: { cookie: session } })).text();
    expect(inbox).toContain('też w 3 innych urzędach');
    const petitionPage = await (await fetch(`${base}/petycje/AIR-3`, { headers: { cookie: session } })).text();
    expect(petitionPage).toContain('Ta sama treść wpłynęła do 3 innych urzędów (pierwsza: 6 maja 2024)');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(petitionPage)![1]!;
    const marked = await fetch(`${base}/petycje/AIR-3/ocena`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session },
      body: new URLSearchParams({ label: 'regular', _csrf: csrf }).toString(),
    });
    expect(marked.status).toBe(303);
    await delivered(3);
    // a fifth copy at office 0 now hears that one of the other offices called the text regular
    const r = await score(0, { id: 'AIR-0b', text: airCampaign({ ...OFFICE_EDITS[0]!, number: 40 }), received_at: '2024-05-20' });
    const reason = elsewhere(r)!;
    expect(reason).toMatchObject({ offices: 3 });
    expect(reason.description).toMatch(/zwykła — 1/);
    expect(reason.contribution).toBeLessThan(4);
  }, 60_000);

  it('waits for a hung clearinghouse no longer than the bounded wait, then scores without it', async () => {
    const impatient = await serveProcess(
      { SITO_DATA_DIR: tempDir('sito-office-'), SITO_CLEARINGHOUSE_URL: ch.url, SITO_CLEARINGHOUSE_KEY: keyOf(OFFICES[0]!), SITO_FEDERATION_SECRET: SECRET, SITO_CLEARINGHOUSE_WAIT_MS: '300' },
      await freePort(),
    );
    ch.child.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      const res = await fetch(`${impatient.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: airCampaign(OFFICE_EDITS[1]!), store: false }) });
      expect(Date.now() - t0).toBeLessThan(1000);
      const body = (await res.json()) as Result;
      expect(body.clearinghouse).toEqual({ consulted: false, problem: 'the clearinghouse did not answer within 300 ms' });
      expect(elsewhere(body)).toBeUndefined();
    } finally {
      ch.child.kill('SIGCONT');
      await impatient.stop();
    }
  }, 60_000);

  it('scores within a second while the clearinghouse is down, and delivers the report after it returns', async () => {
    await killed(ch.child, 'SIGKILL');
    const text = airCampaign({ addressee: 'Szanowny Pan Wójt Gminy Wolbórz', gmina: 'Wolbórz', date: '3 czerwca 2024 r.', number: 77 });
    const t0 = Date.now();
    const r = await score(2, { id: 'AIR-DOWN', text, received_at: '2024-06-03' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.clearinghouse?.consulted).toBe(false);
    expect(r.clearinghouse?.problem).toMatch(/unreachable/);
    expect(elsewhere(r)).toBeUndefined();
    const down = await health(2);
    expect(down.pending_reports).toBeGreaterThanOrEqual(1);
    expect(down.reachable).toBe(false);
    // operators see the same in /metrics (open on loopback without keys)
    const metrics = await (await fetch(`${offices[2]!.url}/metrics`)).text();
    expect(metrics).toMatch(/^sito_clearinghouse_reachable 0$/m);
    expect(Number(/^sito_clearinghouse_pending_reports (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    // a unique text, so that its arrival is visible: only office 2 has it
    const unique = LIBRARY;
    await score(2, { id: 'SEN-DOWN', text: unique });
    ch = await startClearinghouse(chDir, chPort);
    await delivered(2);
    expect((await health(2)).reachable).toBe(true);
    const seen = await score(3, { id: 'SEN-3', text: unique, received_at: '2024-06-04' });
    expect(elsewhere(seen)?.offices).toBe(1);
  }, 60_000);

  it('reports what `sito score` stores before the command exits, and consults the clearinghouse there too', async () => {
    const file = join(tempDir('sito-score-'), 'in.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'BUS-1', text: BUS_SHELTER, received_at: '2024-09-02' })}\n`);
    reported.push(BUS_SHELTER);
    const env = { SITO_DATA_DIR: officeDirs[1]!, SITO_CLEARINGHOUSE_URL: ch.url, SITO_CLEARINGHOUSE_KEY: keyOf(OFFICES[1]!), SITO_FEDERATION_SECRET: SECRET, SITO_CLEARINGHOUSE_WAIT_MS: '3000' };
    const run = await sitoAsync(['score', file], env);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/wait for the clearinghouse/);
    expect((JSON.parse(run.stdout) as Result).clearinghouse).toEqual({ consulted: true, offices: 0 });
    const seen = await score(0, { id: 'BUS-0', text: BUS_SHELTER });
    expect(elsewhere(seen)).toMatchObject({ offices: 1, first_seen: '2024-09-02' });
  }, 60_000);

  it("keeps none of the reported petitions' phrases in the clearinghouse's database files", async () => {
    const files = readdirSync(chDir).filter((f) => f.startsWith('clearinghouse.db'));
    expect(files).toContain('clearinghouse.db');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(chDir, f))));
    const asLatin1 = bytes.toString('latin1');
    const asUtf8 = bytes.toString('utf8');
    let checked = 0;
    for (const text of new Set(reported)) {
      const words = text.split(/\s+/).filter((w) => w.length > 2);
      for (let i = 0; i + 3 <= words.length; i += Math.max(1, Math.floor(words.length / 6))) {
        const phrase = words.slice(i, i + 3).join(' ');
        for (const p of [phrase, foldText(phrase).folded, phrase.toLowerCase()]) {
          expect(asUtf8.includes(p), p).toBe(false);
          expect(asLatin1.includes(p), p).toBe(false);
          checked++;
        }
      }
      for (const name of ['Kowalczyk', 'Zielińska', 'Wróbel', 'Mazur', 'Czysty Oddech']) expect(asUtf8.includes(name)).toBe(false);
    }
    expect(checked).toBeGreaterThan(100);
  });
});
