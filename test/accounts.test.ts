import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { startTestServer, type Running } from './helpers/server.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

const PASSWORD = 'Bardzo-Tajne-Haslo-2026';

/** A browser's sign-in: fetch the form (pre-session cookie + token), then post it. */
async function signIn(url: string, login: string, password: string, extra: Record<string, string> = {}) {
  const form = await fetch(`${url}/logowanie`);
  const pre = /sito_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${url}/logowanie`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sito_login_csrf=${pre}`, ...extra },
    body: new URLSearchParams({ login, password, _csrf: token }).toString(),
  });
  const session = /sito_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  return { status: res.status, retryAfter: res.headers.get('retry-after'), session };
}

describe('sign-in: CSRF, throttling, disabled accounts, password changes, audit trail', () => {
  let s: Running;
  const dataDir = tempDir();
  beforeAll(async () => {
    const store = SqliteStore.open(dataDir);
    await store.addUser('kasia', 'clerk', await hashPassword(PASSWORD));
    await store.addUser('adam', 'analyst', await hashPassword(PASSWORD));
    await store.addUser('ola', 'clerk', await hashPassword(PASSWORD));
    await store.close();
    s = await startTestServer({ dataDir, apiKeys: [{ key: 'intake-key', role: 'intake' }, { key: 'analyst-key', role: 'analyst' }] });
  });
  afterAll(async () => s.close());

  it('a login form whose token is only equal to a cookie the attacker chose is refused', async () => {
    const res = await fetch(`${s.url}/logowanie`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'sito_login_csrf=attacker-chosen' },
      body: `login=kasia&password=${PASSWORD}&_csrf=attacker-chosen`,
    });
    expect(res.status).toBe(403);
  });

  it('a login form posted from another origin is refused', async () => {
    const r = await signIn(s.url, 'kasia', PASSWORD, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.session).toBeNull();
  });

  it('signs in with the right password', async () => {
    const r = await signIn(s.url, 'kasia', PASSWORD, { origin: s.url });
    expect(r.status).toBe(303);
    expect(r.session).not.toBeNull();
  });

  it('after 5 wrong passwords an account answers 429 with Retry-After, even to the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn(s.url, 'adam', `wrong-password-${i}`)).status).toBe(401);
    const r = await signIn(s.url, 'adam', PASSWORD);
    expect(r.status).toBe(429);
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(Number(r.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(r.session).toBeNull();
  });

  it('the throttle is kept in the database: another server (a worker) on the same database refuses too', async () => {
    const other = await startTestServer({ dataDir });
    try {
      expect((await signIn(other.url, 'adam', PASSWORD)).status).toBe(429);
    } finally {
      await other.close();
    }
  });

  it('after 20 failures from one address every account is throttled from there', async () => {
    for (let i = 0; i < 20; i++) await signIn(s.url, `nobody-${i}`, 'wrong-password');
    const r = await signIn(s.url, 'ola', PASSWORD);
    expect(r.status).toBe(429);
    expect(r.retryAfter).not.toBeNull();
    // clear the address counter for the tests below (another address would not be affected)
    const store = SqliteStore.open(dataDir);
    await store.clearLoginFailures('address', '127.0.0.1');
    await store.close();
  });

  it('a password change ends the account’s sessions; sito user disable ends them and refuses sign-in', async () => {
    const first = await signIn(s.url, 'ola', PASSWORD);
    expect(first.status).toBe(303);
    const api = (session: string) => fetch(`${s.url}/v1/petitions`, { headers: { cookie: `sito_session=${session}` } });
    expect((await api(first.session!)).status).toBe(200);
    const changed = sitoSync(['user', 'add', 'ola', '--role', 'clerk', '--password-stdin'], { input: 'Nowe-Haslo-Oli-2026\n', env: { SITO_DATA_DIR: dataDir } });
    expect(changed.status, changed.stderr).toBe(0);
    expect((await api(first.session!)).status).toBe(401);

    const second = await signIn(s.url, 'ola', 'Nowe-Haslo-Oli-2026');
    expect(second.status).toBe(303);
    const disabled = sitoSync(['user', 'disable', 'ola'], { env: { SITO_DATA_DIR: dataDir } });
    expect(disabled.status, disabled.stderr).toBe(0);
    expect((await api(second.session!)).status).toBe(401);
    expect((await signIn(s.url, 'ola', 'Nowe-Haslo-Oli-2026')).status).toBe(401);
    expect(sitoSync(['user', 'disable', 'nobody'], { env: { SITO_DATA_DIR: dataDir } }).status).not.toBe(0);
  });

  it('the audit trail records sign-ins, failures and account changes, for analysts only', async () => {
    const intake = await fetch(`${s.url}/v1/audit`, { headers: { authorization: 'Bearer intake-key' } });
    expect(intake.status).toBe(403);
    const res = await fetch(`${s.url}/v1/audit?limit=1000`, { headers: { authorization: 'Bearer analyst-key' } });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Array<{ action: string; actor: string; target: string | null; address: string | null; at: string }> };
    const actions = new Set(items.map((i) => i.action));
    for (const a of ['sign_in', 'sign_in_failed', 'sign_in_throttled', 'user_add', 'user_disable']) expect(actions, a).toContain(a);
    const signIn = items.find((i) => i.action === 'sign_in' && i.target === 'kasia')!;
    expect(signIn.address).toBe('127.0.0.1');
    expect(Date.parse(signIn.at)).not.toBeNaN();
    expect(items.find((i) => i.action === 'user_disable')!.actor).toMatch(/^cli:/);
    const failed = await fetch(`${s.url}/v1/audit?action=sign_in_failed&limit=2`, { headers: { authorization: 'Bearer analyst-key' } });
    const f = (await failed.json()) as { items: Array<{ action: string }> };
    expect(f.items).toHaveLength(2);
    expect(f.items.every((i) => i.action === 'sign_in_failed')).toBe(true);

    const cli = sitoSync(['audit', '--action', 'user_disable'], { env: { SITO_DATA_DIR: dataDir } });
    expect(cli.status, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; target: string });
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]!.target).toBe('ola');
    expect(sitoSync(['audit', '--action', 'nonsense'], { env: { SITO_DATA_DIR: dataDir } }).status).not.toBe(0);
  });
});
