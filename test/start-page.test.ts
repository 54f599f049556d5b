import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/serve.js';
import { addDays, addMonths } from '../src/track/deadlines.js';
import { weekStart } from '../src/track/dashboard.js';
import { firstOpenDay, today } from '../src/track/petition-track.js';
import { signIn } from './helpers/sign-in.js';
import { serveProcess, sitoSync, tempDir, type ServeProcess } from './helpers/sito-process.js';

/** The start page of a real `sito serve` when more deadlines fall this week than it lists. */
describe("the start page with more of this week's deadlines than it lists", () => {
  let server: ServeProcess;
  const dir = tempDir();
  const password = 'Bardzo-Tajne-Haslo-2026';
  // 53 petitions received on the day whose deadline (3 months on) is this Wednesday
  const wednesday = addDays(weekStart(today()), 2);
  const received = firstOpenDay(wednesday);

  beforeAll(async () => {
    const add = sitoSync(['user', 'add', 'kasia', '--role', 'clerk', '--password-stdin'], { input: `${password}\n`, env: { SITO_DATA_DIR: dir } });
    expect(add.status, add.stderr).toBe(0);
    server = await serveProcess({ SITO_DATA_DIR: dir, SITO_API_KEYS: 'intake-key' }, await freePort());
    for (let i = 0; i < 53; i++) {
      const r = await fetch(`${server.url}/v1/petitions/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer intake-key' },
        body: JSON.stringify({ id: `ul-${i}`, subject: `Naprawa chodnika przy ulicy nr ${i}`, text: `Wnosimy o naprawę chodnika przy ulicy Polnej ${i}, który jest zniszczony od zimy.`, received_at: received }),
      });
      expect(r.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('lists the 50 soonest, counts all 53, and links to the inbox by deadline for the rest', async () => {
    const deadline = addMonths(received, 3);
    expect(deadline >= wednesday && deadline <= addDays(wednesday, 4)).toBe(true);
    const cookie = await signIn(server.url, 'kasia', password);
    const html = await (await fetch(`${server.url}/start`, { headers: { cookie } })).text();
    const table = /<table id="tabela-terminow">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(table.match(/<a href="\/petycje\//g)).toHaveLength(50);
    // ties in deadline go in the order of storing
    expect(table).toContain('href="/petycje/ul-0"');
    expect(table).toContain('href="/petycje/ul-49"');
    expect(table).not.toContain('href="/petycje/ul-50"');
    expect(html).toMatch(/<p id="terminy-wiecej">Pokazano 50 najbliższych z 53\. Pełna lista: <a href="\/skrzynka\?kolejnosc=termin">/);
    // the count of this week's deadlines is of all of them (none is past unless today is after Wednesday)
    const open = /<strong id="terminy-tydzien">(\d+)<\/strong>/.exec(html)?.[1];
    expect(open).toBe(today() > deadline ? '0' : '53');
  });
});
