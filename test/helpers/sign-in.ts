import { expect } from 'vitest';

/**
 * Signs in through the sign-in form as a browser would (its pre-session cookie and CSRF token);
 * returns the session cookie ("sito_session=…").
 */
export async function signIn(base: string, login: string, password: string): Promise<string> {
  const form = await fetch(`${base}/logowanie`);
  const loginCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const r = await fetch(`${base}/logowanie`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ login, password, _csrf: csrf, next: '/skrzynka' }),
  });
  expect(r.status).toBe(303);
  return r.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('sito_session'))!;
}
