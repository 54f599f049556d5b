import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/serve.js';
import { makeTemplate, makeVariant, rng, EDITS } from '../scripts/lib/generate-petitions.js';
import { repoRoot } from './helpers/paths.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { signIn } from './helpers/sign-in.js';
import { serveProcess, sitoAsync, tempDir, type ServeProcess } from './helpers/sito-process.js';

/**
 * Several Sito instances on one PostgreSQL, as real processes: the campaign decision holds across
 * instances, a model activated anywhere reaches every instance, a session works on whichever
 * instance a request hits, and an instance killed mid-write loses no petition it acknowledged.
 */
describe.skipIf(!hasPostgres)('three instances on one PostgreSQL', () => {
  let pg: ThrowawayPostgres;
  let env: Record<string, string>;
  const instances: ServeProcess[] = [];

  const start = async () => {
    // each instance has its own data folder: nothing is shared through files
    const p = await serveProcess({ ...env, SITO_DATA_DIR: tempDir('sito-inst-') }, await freePort());
    instances.push(p);
    return p;
  };

  beforeAll(async () => {
    pg = await startPostgres();
    env = { SITO_DATABASE_URL: pg.url };
    const status = async () => {
      const r = await sitoAsync(['migrate', 'status'], { ...env, SITO_DATA_DIR: tempDir() });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state);
    };
    expect(new Set(await status())).toEqual(new Set(['pending']));
    // started together on an empty database: one applies the migrations, the others wait for it
    await Promise.all([start(), start(), start()]);
    expect(new Set(await status())).toEqual(new Set(['applied']));
    for (const p of instances) {
      const h = (await (await fetch(`${p.url}/health`)).json()) as { storage: { kind: string } };
      expect(h.storage.kind).toBe('postgres');
    }
  }, 120_000);

  afterAll(async () => {
    // the killed one has exited already
    await Promise.all(instances.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => p.stop()));
    pg?.stop();
  });

  const score = (base: string, body: unknown) => fetch(`${base}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('24 concurrent copies of one new template, spread over 3 instances, make one campaign of 24', async () => {
    const r = rng(2015);
    const template = makeTemplate(r);
    const copies = Array.from({ length: 24 }, (_, i) => ({ id: `tpl-${i}`, text: makeVariant(r, template, new Set(EDITS.slice(0, 4)), 15), sender: { email: `osoba${i}@example.pl` } }));
    const answers = await Promise.all(copies.map((c, i) => score(instances[i % 3]!.url, c)));
    expect(answers.map((a) => a.status)).toEqual(copies.map(() => 200));
    const campaigns = new Set<string>();
    for (const c of copies) {
      const p = (await (await fetch(`${instances[0]!.url}/v1/petitions/${c.id}`)).json()) as { campaign_id?: string | null; result?: { campaign: { id: string } | null } };
      const id = p.campaign_id ?? p.result?.campaign?.id ?? null;
      expect(id, `${c.id} is in no campaign`).not.toBeNull();
      campaigns.add(id!);
    }
    expect([...campaigns]).toHaveLength(1);
    const campaign = (await (await fetch(`${instances[2]!.url}/v1/campaigns/${[...campaigns][0]}`)).json()) as { size: number };
    expect(campaign.size).toBe(24);
  }, 120_000);

  it('a session started on one instance works on the others, and signing out ends it everywhere', async () => {
    const add = await sitoAsync(['user', 'add', 'urzednik', '--role', 'clerk', '--password', 'haslo-do-testu-123'], { ...env, SITO_DATA_DIR: tempDir() });
    expect(add.status, add.stderr).toBe(0);
    const cookie = await signIn(instances[0]!.url, 'urzednik', 'haslo-do-testu-123');
    let csrf = '';
    for (const p of instances) {
      const page = await fetch(`${p.url}/skrzynka`, { headers: { cookie }, redirect: 'manual' });
      expect(page.status, p.url).toBe(200);
      csrf = /action="\/wyloguj"[^]*?name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    }
    // signed out on the second instance (with the session's CSRF token, read on the third)
    const out = await fetch(`${instances[1]!.url}/wyloguj`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: instances[1]!.url }, body: new URLSearchParams({ _csrf: csrf }) });
    expect(out.status).toBe(303);
    for (const p of instances) {
      const page = await fetch(`${p.url}/skrzynka`, { headers: { cookie }, redirect: 'manual' });
      expect(page.status, p.url).toBe(302);
      expect(page.headers.get('location')).toMatch(/^\/logowanie/);
    }
  }, 60_000);

  it('a model activated (and rolled back) on one machine reaches every instance within seconds', async () => {
    type Row = { id: string; label: string; family: string; text: string };
    const corpus = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Row[];
    const dir = tempDir();
    const file = `${dir}/tiny.csv`;
    writeFileSync(file, stringify([...corpus.filter((x) => x.label === 'mass').slice(0, 6), ...corpus.filter((x) => x.label !== 'mass').slice(0, 6)], { header: true, columns: ['id', 'label', 'family', 'text'] }));
    // trained in a data folder of its own: the instances load the artifact from the database
    const trained = await sitoAsync(['train', file, '--folds', '2'], { ...env, SITO_DATA_DIR: dir });
    expect(trained.status, trained.stderr).toBe(0);
    const version = /^trained (\S+) on/m.exec(trained.stdout)![1]!;
    const before = ((await (await fetch(`${instances[0]!.url}/health`)).json()) as { model: { version: string } }).model.version;

    const seenWithin = async (want: string) => {
      const t0 = Date.now();
      for (;;) {
        const versions = await Promise.all(instances.map(async (p) => ((await (await fetch(`${p.url}/health`)).json()) as { model: { version: string; problem: string | null } }).model));
        if (versions.every((v) => v.version === want)) return Date.now() - t0;
        if (Date.now() - t0 > 15_000) throw new Error(`after 15 s: ${JSON.stringify(versions)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const act = await sitoAsync(['model', 'activate', version], { ...env, SITO_DATA_DIR: tempDir() });
    expect(act.status, act.stderr).toBe(0);
    const activation = await seenWithin(version);
    expect(activation).toBeLessThan(10_000);
    const back = await sitoAsync(['model', 'rollback'], { ...env, SITO_DATA_DIR: tempDir() });
    expect(back.status, back.stderr).toBe(0);
    const rollback = await seenWithin(before);
    expect(rollback).toBeLessThan(10_000);
    console.info(`activation seen by all 3 instances ${activation} ms after the command returned, rollback ${rollback} ms`);
  }, 180_000);

  it('an instance killed (SIGKILL) mid-write loses no petition it acknowledged', async () => {
    const victim = instances[2]!;
    const acknowledged: string[] = [];
    let sent = 0;
    const r = rng(77);
    const writer = async (w: number) => {
      for (let i = 0; ; i++) {
        const id = `kill-${w}-${i}`;
        sent++;
        try {
          const res = await score(victim.url, { id, text: `Petycja ${id}: ${makeVariant(r, makeTemplate(r), new Set(), w * 1000 + i)}` });
          if (res.status === 200) acknowledged.push(id);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 20) await new Promise((res) => setTimeout(res, 20));
    victim.child.kill('SIGKILL');
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    expect(sent).toBeGreaterThan(acknowledged.length);
    for (const id of acknowledged) {
      const res = await fetch(`${instances[0]!.url}/v1/petitions/${id}`);
      expect(res.status, `${id} was acknowledged, then lost`).toBe(200);
    }
    // the others go on: a survivor stores and lists
    expect((await score(instances[1]!.url, { id: 'after-kill', text: 'Petycja po awarii jednej instancji: prosimy o nowe ławki w parku miejskim.' })).status).toBe(200);
  }, 120_000);
});
