import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { answerProblem, batchRefusedForGood, OfficeClearinghouse, refusedForGood } from '../src/clearinghouse/office.js';
import { buildClearinghouseApp, parseOfficeKeys } from '../src/clearinghouse/server.js';
import { SqliteClearinghouseStore } from '../src/clearinghouse/sqlite-store.js';
import type { Report } from '../src/clearinghouse/protocol.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { normalise } from '../src/normalise/normalise.js';
import { openRuntime } from '../src/runtime.js';
import { fingerprint } from '../src/signals/fingerprint/minhash.js';
import { PostgresStore } from '../src/storage/postgres/store.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import type { Store } from '../src/storage/store.js';
import { BUS_SHELTER, LIBRARY } from './helpers/clearinghouse-texts.js';
import { hasPostgres, startPostgres, type ThrowawayPostgres } from './helpers/postgres.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

const SECRET = 'sekret-federacji-testowej-2024';
const FP = fingerprint(normalise(LIBRARY).folded);

/**
 * A clearinghouse on loopback that refuses what it is told to: 400 to any batch holding a
 * poisoned report (as the real one does for a malformed report), 413 to a batch over `maxBatch`,
 * a report listed as rejected in a 200 answer, 422 to chosen marks, and `outage` answers of
 * `outageStatus` (503, 429) before anything else. It keeps what it accepted.
 */
class FakeClearinghouse {
  readonly poisoned = new Set<string>();
  readonly rejected = new Set<string>();
  readonly refusedMarks = new Set<string>();
  maxBatch = 1000;
  outage = 0;
  outageStatus = 503;
  readonly received = new Map<string, Report>();
  readonly marks = new Map<string, unknown>();
  readonly batchSizes: number[] = [];
  requests = 0;
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => void this.answer(req).then(([status, body]) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }

  private async answer(req: IncomingMessage): Promise<[number, unknown]> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    this.requests++;
    if (this.outage > 0) {
      this.outage--;
      return [this.outageStatus, { error: 'unavailable', message: 'try again later' }];
    }
    if (req.method === 'POST' && req.url === '/v1/reports') {
      const reports = (JSON.parse(raw) as { reports: Report[] }).reports;
      if (reports.length > this.maxBatch) return [413, { error: 'payload_too_large', message: `body: at most ${this.maxBatch} reports` }];
      const bad = reports.findIndex((r) => this.poisoned.has(r.id));
      if (bad >= 0) return [400, { error: 'invalid_request', message: `reports.${bad}.signature: signature must be base64` }];
      this.batchSizes.push(reports.length);
      const rejected = reports.filter((r) => this.rejected.has(r.id)).map((r) => ({ id: r.id, problem: 'id: another office uses this report id' }));
      for (const r of reports) if (!this.rejected.has(r.id)) this.received.set(r.id, r);
      return [200, { accepted: reports.length - rejected.length, duplicates: 0, rejected }];
    }
    const mark = /^\/v1\/reports\/([^/]+)\/mark$/.exec(req.url ?? '');
    if (req.method === 'PUT' && mark) {
      const id = mark[1]!;
      if (this.refusedMarks.has(id)) return [422, { error: 'invalid_request', message: 'mark: expected "mass", "regular" or null' }];
      if (!this.received.has(id)) return [404, { error: 'not_found', message: 'id: this office has no such report' }];
      this.marks.set(id, (JSON.parse(raw) as { mark: unknown }).mark);
      return [200, { id, mark: this.marks.get(id) }];
    }
    return [404, { error: 'not_found', message: 'no such route' }];
  }
}

interface Logged {
  level: string;
  msg: string;
}

function office(store: Store, url: string, logs: Logged[], retryMaxMs = 30_000) {
  return new OfficeClearinghouse(store.outbox, { url, key: 'office-key', secret: SECRET, waitMs: 300, retryMaxMs, log: (level, msg) => logs.push({ level, msg }) });
}

/** Queues `n` petitions' reports as the office does when it stores them; returns their report ids in queue order. */
async function queue(store: Store, ch: OfficeClearinghouse, n: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    await ch.enqueueReport(`petition-${i}`, FP, '2026-04-01T09:00:00Z', store.outbox);
    ids.push((await store.outbox.reportIdOf(`petition-${i}`))!);
  }
  return ids;
}

const until = async (what: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('which answers refuse for good (pure)', () => {
  it('a 4xx other than 401, 403, 408 and 429; never a 5xx; a batch answered 404 or 405 is retried (a wrong address, not a wrong report)', () => {
    const forGood = [400, 404, 405, 409, 410, 413, 415, 422];
    const later = [401, 403, 408, 429, 500, 502, 503, 504, 302];
    for (const s of forGood) expect(refusedForGood(s), String(s)).toBe(true);
    for (const s of later) expect(refusedForGood(s), String(s)).toBe(false);
    expect([400, 404, 405, 413, 422].map(batchRefusedForGood)).toEqual([true, false, false, true, true]);
  });

  it("the problem is the answer's message on one line, bounded", () => {
    expect(answerProblem(400, '{"error":"invalid_request","message":"reports.3.signature: signature must be base64"}')).toBe('the clearinghouse answered 400: reports.3.signature: signature must be base64');
    expect(answerProblem(413, '<html>\n<h1>413 Request Entity Too Large</h1>\n</html>')).toBe('the clearinghouse answered 413: <html> <h1>413 Request Entity Too Large</h1> </html>');
    expect(answerProblem(422, '')).toBe('the clearinghouse answered 422');
    expect(answerProblem(400, 'x'.repeat(5000)).length).toBeLessThan(360);
  });
});

/** The delivery scenarios, on one store backend. */
function deliveryCases(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>, size: { reports: number }) {
  describe(`delivery through the outbox (${name})`, () => {
    let fake: FakeClearinghouse;
    let store: Store;
    let close: () => Promise<void>;
    let ch: OfficeClearinghouse | null = null;
    const logs: Logged[] = [];

    const setUp = async () => {
      fake = await new FakeClearinghouse().start();
      ({ store, close } = await open());
      logs.length = 0;
      ch = office(store, fake.url, logs, 100);
      return ch;
    };

    afterEach(async () => {
      await ch?.stop();
      ch = null;
      await close?.();
      await fake?.stop();
    });

    it('a batch refused for good (400) is halved until the poisoned reports are alone: every good report arrives, the poisoned ones are refused with status and problem, the outbox empties', async () => {
      const ch = await setUp();
      const ids = await queue(store, ch, size.reports);
      // one in the first batch of 500, one at the very end
      const poisoned = [ids[7]!, ids[ids.length - 1]!];
      for (const id of poisoned) fake.poisoned.add(id);

      expect(await ch.deliver()).toBe(ids.length - 2);
      expect(await store.outbox.pending()).toBe(0);
      expect([...fake.received.keys()].sort()).toEqual(ids.filter((id) => !poisoned.includes(id)).sort());
      const refused = await store.outbox.listRefused(10);
      expect(refused.map((r) => [r.kind, r.report_id, r.http_status, r.problem])).toEqual(
        poisoned.map((id) => ['report', id, 400, 'the clearinghouse answered 400: reports.0.signature: signature must be base64']),
      );
      expect(JSON.parse(refused[0]!.payload)).toMatchObject({ id: poisoned[0], received_day: '2026-04-01' });
      expect(await store.outbox.refused()).toBe(2);
      // halving costs a few requests per poisoned report, not one per report
      expect(fake.requests).toBeLessThan(2 + 2 * 2 * 10);
      // each refusal logged once at warn, by id; nothing of a petition's text
      for (const id of poisoned) expect(logs.filter((l) => l.msg.includes(id)).map((l) => l.level)).toEqual(['warn']);
      expect(logs.some((l) => /biblioteki|Dyrektor/i.test(l.msg))).toBe(false);
      expect(await ch.health()).toMatchObject({ reachable: true, pending_reports: 0, refused_reports: 2, last_error: null });

      // the next report is not held up by anything
      const [later] = await queue(store, ch, 1, size.reports);
      expect(await ch.deliver()).toBe(1);
      expect(fake.received.has(later!)).toBe(true);
    });

    it('413 to a batch over N: halved until it fits, nothing refused', async () => {
      const ch = await setUp();
      fake.maxBatch = 60;
      const ids = await queue(store, ch, 200);
      expect(await ch.deliver()).toBe(200);
      expect(fake.received.size).toBe(200);
      expect(new Set(fake.received.keys())).toEqual(new Set(ids));
      expect(Math.max(...fake.batchSizes)).toBeLessThanOrEqual(60);
      expect(await store.outbox.refused()).toBe(0);
      expect(await store.outbox.pending()).toBe(0);
    });

    it('503 and 429 are retried, never refused: the reports wait and arrive when the clearinghouse recovers', async () => {
      const ch = await setUp();
      const ids = await queue(store, ch, 30);
      fake.outage = 1;
      fake.outageStatus = 503;
      await expect(ch.deliver()).rejects.toThrow('the clearinghouse answered 503 to reports');
      fake.outage = 1;
      fake.outageStatus = 429;
      await expect(ch.deliver()).rejects.toThrow('the clearinghouse answered 429 to reports');
      expect(await store.outbox.pending()).toBe(30);
      expect(await store.outbox.refused()).toBe(0);
      expect(await ch.health()).toMatchObject({ reachable: false, pending_reports: 30, refused_reports: 0, last_error: 'the clearinghouse answered 429 to reports' });

      // the background loop retries with backoff until it gets through
      fake.outage = 3;
      fake.outageStatus = 503;
      ch.start();
      await until(async () => (await store.outbox.pending()) === 0);
      expect(new Set(fake.received.keys())).toEqual(new Set(ids));
      expect(await store.outbox.refused()).toBe(0);
      expect(logs.filter((l) => l.msg.includes('retrying')).length).toBeGreaterThanOrEqual(3);
    });

    it('a report listed as rejected, and a mark refused for good (422), are refused; a mark of an unknown report (404) is dropped; good marks arrive', async () => {
      const ch = await setUp();
      const ids = await queue(store, ch, 5);
      fake.rejected.add(ids[1]!);
      fake.refusedMarks.add(ids[2]!);
      for (const i of [0, 1, 2]) expect(await ch.enqueueMark(`petition-${i}`, 'mass', store.outbox)).toBe(true);
      expect(await ch.deliver()).toBe(5);
      expect(await store.outbox.pending()).toBe(0);
      expect([...fake.marks]).toEqual([[ids[0], 'mass']]);
      const refused = await store.outbox.listRefused(10);
      expect(refused.map((r) => [r.kind, r.report_id, r.http_status, r.problem])).toEqual([
        ['report', ids[1], 200, 'the clearinghouse listed it as rejected: id: another office uses this report id'],
        ['mark', ids[2], 422, 'the clearinghouse answered 422: mark: expected "mass", "regular" or null'],
      ]);
      expect(logs.filter((l) => l.msg.includes(ids[1]!)).map((l) => l.level)).toEqual(['warn', 'warn']); // its refusal; its mark dropped (404)
      expect(logs.some((l) => l.msg.includes(`does not know report ${ids[1]}`))).toBe(true);

      // a mark answered 503 waits, and is not refused
      expect(await ch.enqueueMark('petition-3', 'regular', store.outbox)).toBe(true);
      fake.outage = 1;
      await expect(ch.deliver()).rejects.toThrow('the clearinghouse answered 503 to a mark');
      expect([await store.outbox.pending(), await store.outbox.refused()]).toEqual([1, 2]);
      expect(await ch.deliver()).toBe(1);
      expect(fake.marks.get(ids[3]!)).toBe('regular');
    });
  });
}

deliveryCases(
  'SQLite',
  async () => {
    const store = SqliteStore.open(tempDir('sito-outbox-'));
    return { store, close: () => store.close() };
  },
  { reports: 1100 },
);

describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
  let pg: ThrowawayPostgres;
  let n = 0;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg?.stop());

  deliveryCases(
    'PostgreSQL',
    async () => {
      const db = `outbox_${++n}`;
      const admin = await PostgresStore.open(pg.url);
      await admin.pool.query(`CREATE DATABASE ${db}`);
      await admin.close();
      const store = await PostgresStore.open(pg.url.replace(/\/postgres$/, `/${db}`), { modelCacheDir: tempDir() });
      return { store, close: () => store.close() };
    },
    { reports: 600 },
  );
});

describe("against the real clearinghouse's answers", () => {
  it('a malformed report (400 naming its field) and an id another office uses (listed as rejected) are refused; the rest arrive', async () => {
    const chStore = SqliteClearinghouseStore.open(tempDir('sito-outbox-ch-'));
    const server = await buildClearinghouseApp({ store: chStore, keys: parseOfficeKeys('key-of-office-a-0001:office-a,key-of-office-b-0002:office-b'), logger: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const addr = server.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    const url = `http://127.0.0.1:${addr.port}`;
    const store = SqliteStore.open(tempDir('sito-outbox-a-'));
    const logs: Logged[] = [];
    const ch = new OfficeClearinghouse(store.outbox, { url, key: 'key-of-office-a-0001', secret: SECRET, waitMs: 300, retryMaxMs: 100, log: (level, msg) => logs.push({ level, msg }) });
    try {
      const good = await queue(store, ch, 40);
      const template = JSON.parse((await store.outbox.next(1))[0]!.payload) as Report;
      // a report the clearinghouse cannot read, queued in the middle
      const malformed = randomUUID();
      await store.outbox.enqueue('report', malformed, JSON.stringify({ ...template, id: malformed, signature: 'AAAA' }), new Date().toISOString());
      // an id office B reported first
      const taken = randomUUID();
      const byB = await fetch(`${url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer key-of-office-b-0002' }, body: JSON.stringify({ reports: [{ ...template, id: taken }] }) });
      expect(byB.status).toBe(200);
      await store.outbox.enqueue('report', taken, JSON.stringify({ ...template, id: taken }), new Date().toISOString());
      const more = await queue(store, ch, 10, 40);
      expect(await ch.enqueueMark('petition-3', 'mass', store.outbox)).toBe(true);

      expect(await ch.deliver()).toBe(51);
      expect(await store.outbox.pending()).toBe(0);
      for (const id of [...good, ...more]) expect(await chStore.ownReport('office-a', id), id).not.toBeNull();
      expect((await chStore.ownReport('office-a', good[3]!))!.mark).toBe('mass');
      expect(await chStore.ownReport('office-a', malformed)).toBeNull();
      expect((await store.outbox.listRefused(10)).map((r) => [r.report_id, r.http_status, r.problem])).toEqual([
        [malformed, 400, expect.stringMatching(/^the clearinghouse answered 400: reports\.0\.signature: signature must be 256 32-bit values in base64/)],
        [taken, 200, 'the clearinghouse listed it as rejected: this report id is already used'],
      ]);
      expect(logs.filter((l) => l.level === 'warn').length).toBe(2);
    } finally {
      await store.close();
      await server.close();
      await chStore.close();
    }
  });
});

describe('the office app reports refused reports in /health, /metrics and sito clearinghouse refused', () => {
  it('a petition whose report the clearinghouse refuses: refused_reports 1, the gauge 1, listed by the command; the others delivered', async () => {
    const fake = await new FakeClearinghouse().start();
    const dataDir = tempDir('sito-outbox-app-');
    const config = loadConfig({ SITO_SCORING: 'rules', SITO_CLEARINGHOUSE_URL: fake.url, SITO_CLEARINGHOUSE_KEY: 'office-key', SITO_FEDERATION_SECRET: SECRET }, { dataDir });
    const rt = await openRuntime(config);
    const app = await buildApp({ config, engine: rt.engine, runtime: rt, logger: false });
    try {
      const texts = [LIBRARY, BUS_SHELTER, `${LIBRARY} Dziękujemy.`];
      for (const [i, text] of texts.entries()) {
        const res = await app.inject({ method: 'POST', url: '/v1/petitions/score', payload: { id: `p-${i}`, text } });
        expect(res.statusCode, res.body).toBe(200);
      }
      const before = (await app.inject({ method: 'GET', url: '/health' })).json() as { clearinghouse: Record<string, unknown> };
      expect(before.clearinghouse).toMatchObject({ pending_reports: 3, refused_reports: 0 });

      const poisoned = (await rt.store.outbox.reportIdOf('p-1'))!;
      fake.poisoned.add(poisoned);
      expect(await rt.clearinghouse!.deliver()).toBe(2);

      const health = (await app.inject({ method: 'GET', url: '/health' })).json() as { clearinghouse: Record<string, unknown> };
      expect(health.clearinghouse).toEqual({ url: fake.url, reachable: true, pending_reports: 0, refused_reports: 1, last_error: null });
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^sito_clearinghouse_refused_reports 1$/m);
      expect(metrics).toMatch(/^sito_clearinghouse_pending_reports 0$/m);
      expect(fake.received.size).toBe(2);
      expect(fake.received.has(poisoned)).toBe(false);
      expect((await rt.store.outbox.listRefused(5)).map((r) => [r.report_id, r.http_status])).toEqual([[poisoned, 400]]);
    } finally {
      await app.close();
      await rt.close();
      await fake.stop();
    }

    // sito clearinghouse refused: what an operator reads, without the payload
    const listed = sitoSync(['clearinghouse', 'refused'], { env: { SITO_DATA_DIR: dataDir, SITO_DATABASE_URL: '' } });
    expect(listed.status, listed.stderr).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'report', http_status: 400, problem: 'the clearinghouse answered 400: reports.0.signature: signature must be base64' });
    expect(rows[0]).not.toHaveProperty('payload');
    expect(listed.stderr).toBe('1 refused for good, 1 shown\n');
    expect(sitoSync(['clearinghouse', 'refused', '--limit', '0'], { env: { SITO_DATA_DIR: dataDir, SITO_DATABASE_URL: '' } }).stderr).toMatch(/--limit: expected a whole number from 1, got 0/);
  }, 60_000);
});
